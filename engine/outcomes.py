"""What happened to a build or a run, in words a learner understands (English and Simplified Chinese).

One small set of outcome kinds covers every way a submission can end. Each carries the numbers its message needs
(the limit that was hit, the failing step and line), never a stack trace.
"""
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from engine.rules import SubmissionRejected


class OutcomeKind(StrEnum):
    OK = "ok"
    BUILD_ERROR = "build_error"
    RUN_ERROR = "run_error"
    REJECTED = "rejected"
    OUT_OF_MEMORY = "out_of_memory"
    TIME_LIMIT = "time_limit"
    PROCESS_LIMIT = "process_limit"
    OUTPUT_TRUNCATED = "output_truncated"
    DISK_LIMIT = "disk_limit"
    FILE_SIZE_LIMIT = "file_size_limit"
    ENGINE_UNAVAILABLE = "engine_unavailable"
    CANCELLED = "cancelled"
    NOT_PUBLISHED = "not_published"
    REGISTRY_DENIED = "registry_denied"
    REGISTRY_QUOTA = "registry_quota"
    REGISTRY_UNAVAILABLE = "registry_unavailable"


# Failures of the infrastructure, not of the learner's work: such attempts are not counted against them.
INFRASTRUCTURE_FAILURES = frozenset({OutcomeKind.ENGINE_UNAVAILABLE, OutcomeKind.REGISTRY_UNAVAILABLE})


MESSAGES: dict[OutcomeKind, dict[str, str]] = {
    OutcomeKind.OK: {
        "en": "Finished.",
        "zh-hans": "已完成。",
    },
    OutcomeKind.BUILD_ERROR: {
        "en": "The build failed at step {step} (Dockerfile line {line}: {instruction}): {reason}",
        "zh-hans": "构建在第 {step} 步失败（Dockerfile 第 {line} 行：{instruction}）：{reason}",
    },
    OutcomeKind.RUN_ERROR: {
        "en": "The container could not start: {reason}",
        "zh-hans": "容器无法启动：{reason}",
    },
    OutcomeKind.OUT_OF_MEMORY: {
        "en": "{phase_en} ran out of memory: it needed more than the {limit_mb} MB allowed and was stopped.",
        "zh-hans": "{phase_zh}内存不足：所需内存超过了允许的 {limit_mb} MB，已被终止。",
    },
    OutcomeKind.TIME_LIMIT: {
        "en": "{phase_en} took longer than the {limit_s} s allowed and was stopped. Look for a loop that never ends "
        "or a command waiting for input.",
        "zh-hans": "{phase_zh}超过了允许的 {limit_s} 秒，已被终止。请检查是否有不会结束的循环，或在等待输入的命令。",
    },
    OutcomeKind.PROCESS_LIMIT: {
        "en": "{phase_en} tried to start more than {limit} processes at once and was stopped.",
        "zh-hans": "{phase_zh}试图同时启动超过 {limit} 个进程，已被终止。",
    },
    OutcomeKind.OUTPUT_TRUNCATED: {
        "en": "{phase_en} printed more than the {limit_kb} KB or {limit_lines} lines of output allowed, so it was "
        "stopped: the first {kept_lines} lines ({kept_kb} KB) are kept, the rest was cut off.",
        "zh-hans": "{phase_zh}的输出超过了允许的 {limit_kb} KB 或 {limit_lines} 行，已被终止："
        "保留了前 {kept_lines} 行（{kept_kb} KB），其余输出已被截断。",
    },
    OutcomeKind.DISK_LIMIT: {
        "en": "{phase_en} wrote more than {limit_mb} MB to disk and was stopped. Large files belong outside the image.",
        "zh-hans": "{phase_zh}写入磁盘的数据超过了 {limit_mb} MB，已被终止。大文件不应放进镜像。",
    },
    OutcomeKind.FILE_SIZE_LIMIT: {
        "en": "{phase_en} tried to write a file larger than the {limit_mb} MB allowed and was stopped.",
        "zh-hans": "{phase_zh}试图写入超过 {limit_mb} MB 的文件，已被终止。",
    },
    OutcomeKind.CANCELLED: {
        "en": "Cancelled: {phase_en_lower} was stopped at your request.",
        "zh-hans": "已取消：按你的要求停止了{phase_zh}。",
    },
    OutcomeKind.ENGINE_UNAVAILABLE: {
        "en": "The build server is not available right now. Your work is saved; please try again in a minute.",
        "zh-hans": "构建服务器暂时不可用。你的内容已保存，请稍后再试。",
    },
    OutcomeKind.NOT_PUBLISHED: {
        "en": "The course registry has no {reference} yet. Publish it first: press Publish after a Build & Run "
        "that works, or docker push it from your own machine.",
        "zh-hans": "课程镜像仓库中还没有 {reference}。请先发布它：在一次成功的“构建并运行”之后点击“发布”，"
        "或者在你自己的电脑上用 docker push 推送。",
    },
    OutcomeKind.REGISTRY_DENIED: {
        "en": "The course registry refused {reference}: {reason}",
        "zh-hans": "课程镜像仓库拒绝了 {reference}：{reason}",
    },
    OutcomeKind.REGISTRY_QUOTA: {
        "en": "Your registry space is full ({used_mb} MB of {quota_mb} MB): delete an image you no longer need "
        "(your account page lists them) before pushing another.",
        "zh-hans": "你的镜像仓库空间已满（已用 {used_mb} MB，共 {quota_mb} MB）："
        "请先删除一个不再需要的镜像（账户页面上列出了你的镜像），再推送新的。",
    },
    OutcomeKind.REGISTRY_UNAVAILABLE: {
        "en": "The course registry is not available right now. Your work is saved; please try again in a minute.",
        "zh-hans": "课程镜像仓库暂时不可用。你的内容已保存，请稍后再试。",
    },
}

PHASES = {
    "build": {"en": "The build", "zh-hans": "构建"},
    "run": {"en": "The container", "zh-hans": "容器"},
    "push": {"en": "The push", "zh-hans": "推送"},
    "pull": {"en": "The pull", "zh-hans": "拉取"},
}


def content_language(language: str) -> str:
    """The language the course's texts are kept in for a language code: "zh-hans" for any Chinese, else "en"."""
    return "zh-hans" if language.lower().startswith("zh") else "en"


@dataclass(frozen=True)
class Outcome:
    """How a build or run ended. `detail` holds the values its message needs; `phase` is "build" or "run"."""

    kind: OutcomeKind
    phase: str = "build"
    detail: dict[str, Any] = field(default_factory=dict)
    rejection: SubmissionRejected | None = None

    @property
    def ok(self) -> bool:
        return self.kind is OutcomeKind.OK

    def message(self, language: str = "en") -> str:
        language = content_language(language)
        if self.rejection is not None:
            return self.rejection.message(language)
        phase = PHASES[self.phase]
        return MESSAGES[self.kind][language].format(
            phase_en=phase["en"], phase_en_lower=phase["en"].lower(), phase_zh=phase["zh-hans"], **self.detail
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form: kind, phase, detail and the message in both languages."""
        return {
            "kind": self.kind.value,
            "phase": self.phase,
            "detail": {**self.detail, **({"rule": self.rejection.rule} if self.rejection else {})},
            "message": {"en": self.message("en"), "zh-hans": self.message("zh-hans")},
        }


def rejected(error: SubmissionRejected) -> Outcome:
    return Outcome(OutcomeKind.REJECTED, detail={"line": error.line, **error.params}, rejection=error)


OK_BUILD = Outcome(OutcomeKind.OK, "build")
OK_RUN = Outcome(OutcomeKind.OK, "run")
