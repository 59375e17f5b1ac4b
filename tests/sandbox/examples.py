"""Dockerfiles shared by several test modules."""

GO_MULTI_STAGE = """FROM layerlab/golang AS builder
WORKDIR /src
COPY . .
RUN go build -o /out/app .
FROM scratch
COPY --from=builder /out/app /app
ENTRYPOINT ["/app"]
"""
