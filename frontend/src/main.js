// Entry of static/vendor/exercise-page.js: the exercise page (editor, build and run over the sandbox websocket,
// checks, publishing, history). It reads two JSON blocks the view renders with json_script: `exercise-data` (the
// files, URLs, the rules the page checks) and `exercise-strings` (its words, translated by gettext), and wires the
// parts together through one `app` object, which each part receives and adds itself to; nothing is global.
import { createDialogs } from "./dialogs.js";
import { createDrafts } from "./drafts.js";
import { readJson } from "./dom.js";
import { createHistory } from "./history.js";
import { createI18n } from "./i18n.js";
import { createLint } from "./lint.js";
import { createLive } from "./live.js";
import { createMessages } from "./messages.js";
import { createOutput } from "./output.js";
import { createPublish } from "./publish.js";
import { createConnection, socketUrl } from "./socket.js";
import { createWorkspace } from "./workspace.js";

function start() {
  const data = readJson("exercise-data");
  const i18n = createI18n(readJson("exercise-strings"), data.language);
  // limitProblem: what the files break, if anything; lintPending: a lint is out; pendingStart: a try, submit or
  // publish was sent and its "accepted" has not come yet.
  const state = { limitProblem: null, lintPending: false, pendingStart: false };
  const app = { data, i18n, state, updateButtons: () => app.live && app.live.updateButtons() };
  app.messages = createMessages(i18n);
  app.dialogs = createDialogs();
  app.workspace = createWorkspace(app, () => app.drafts.onEdit());
  app.drafts = createDrafts(app);
  app.output = createOutput(app);
  app.lint = createLint(app);
  app.socket = createConnection(socketUrl(location, data.urls.ws), data.urls.attempts, {
    onStatus: (status, params) => app.live.showConnection(status, params),
    onOpen: () => app.live.onConnected(),
    onFrame: (frame) => app.live.onFrame(frame),
    onClose: () => app.live.onDisconnected(),
  });
  app.publish = createPublish(app);
  app.history = createHistory(app);
  app.live = createLive(app);

  app.workspace.checkLimits();
  app.output.setStatus(i18n.t("idle"));
  if (data.active_attempt) app.live.watch(data.active_attempt.id, null, false, data.active_attempt.number);
  else if (Number.isInteger(data.last_attempt)) app.history.showLast(data.last_attempt);
  app.socket.connect();
  app.history.load();
}

start();
