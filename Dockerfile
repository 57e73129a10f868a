# The auditor as a container image, for schedulers that run containers (Kubernetes CronJob,
# Azure Container Apps jobs). Build from the repository root:
#   docker build -t auditor .
#   docker run --rm -v "$PWD:/work" auditor audit --snapshot /work/snapshot.json
# Sign-in inside the container: workload identity (AZURE_FEDERATED_TOKEN_FILE), a managed
# identity, or AZURE_TENANT_ID / AZURE_CLIENT_ID with a federated or secret credential.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY auditor/ auditor/
COPY rules/ rules/
COPY reports/ reports/
COPY baselines/ baselines/
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin auditor
USER 10001
WORKDIR /home/auditor
ENTRYPOINT ["auditor"]
CMD ["--help"]
