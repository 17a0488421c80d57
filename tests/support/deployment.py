"""The services the deployment files run: docker-compose.yml, deploy/k8s, Prometheus, Procfile.

Not `tests.conftest.SERVICES`, which is what `suite_of` starts in-process for the integration
tests: the pullers and the mailer are tested on their own there, but deployed like every other
service, so every deployment test covers them.
"""

from __future__ import annotations

DEPLOYED_SERVICES = ("customer", "consent", "tasks", "ingest", "gateway", "pullers", "mailer")
# Reached from outside: webhooks, channel orders, internal apps. They scale on CPU.
PUBLIC_SERVICES = ("gateway", "ingest")
# One replica at a time works on each integration (it holds a lease): more replicas add no
# throughput, so they run a fixed number, one a standby.
FIXED_REPLICAS = ("pullers",)
