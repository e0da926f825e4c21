"""How the service runs in production: the data of docker-compose and the Kubernetes
manifests (``deploy/kubernetes/``), from the spec's ``deploy:`` section."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class DeployModel:
    replicas: int = 2
    cpu_millis: int = 1000  # CPUs one replica may use, in thousandths
    memory: str = "512Mi"  # a Kubernetes quantity in Mi or Gi
    worker_replicas: int = 1
    min_replicas: int = 2
    max_replicas: int = 10
    target_cpu_percent: int = 70

    @property
    def cpus(self) -> str:
        """The CPU limit as docker-compose writes it: ``1``, ``0.5``, ``1.25``."""
        return f"{self.cpu_millis / 1000:g}"

    @property
    def cpu(self) -> str:
        """The CPU limit as a Kubernetes quantity: ``1``, ``500m``."""
        whole, rest = divmod(self.cpu_millis, 1000)
        return str(whole) if not rest else f"{self.cpu_millis}m"

    @property
    def compose_memory(self) -> str:
        """The memory limit in docker-compose's units (binary, like ``Mi``)."""
        return self.memory[:-2] + self.memory[-2].lower()

    @property
    def web_workers(self) -> int:
        """gunicorn's workers under this CPU limit (``gunicorn.conf.py``: one per CPU
        of the cgroup quota, rounded up)."""
        return max(1, math.ceil(self.cpu_millis / 1000))
