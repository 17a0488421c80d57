"""What the consent service does, one module per family; each takes its ports (ports.py)."""

from __future__ import annotations

from dataclasses import dataclass

from services.consent.use_cases.customers import Customers
from services.consent.use_cases.decisions import Decisions
from services.consent.use_cases.double_opt_in import DoubleOptIn
from services.consent.use_cases.erasure import Erasure
from services.consent.use_cases.merges import Merges
from services.consent.use_cases.purposes import PurposeManagement
from services.consent.use_cases.queries import Queries


@dataclass
class UseCases:
    customers: Customers
    decisions: Decisions
    double_opt_in: DoubleOptIn
    merges: Merges
    erasure: Erasure
    purposes: PurposeManagement
    queries: Queries
