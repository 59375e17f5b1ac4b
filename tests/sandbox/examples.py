"""Dockerfiles shared by several test modules."""

GO_MULTI_STAGE = """FROM layerlab/golang AS builder
WORKDIR /src
COPY . .
RUN go build -o /out/app .
FROM scratch
COPY --from=builder /out/app /app
ENTRYPOINT ["/app"]
"""

# A solution of run-vs-cmd, which tries and submits over the socket use.
ECHO_AT_RUN_TIME = {"Dockerfile": 'FROM layerlab/busybox\nWORKDIR /app\n'
                                  'RUN echo "built at build time" > build-info.txt\n'
                                  'CMD ["echo", "Hello at run time"]\n'}
