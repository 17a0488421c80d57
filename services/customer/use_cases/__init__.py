"""The customer service's use cases: one module per family of commands and queries.

Each takes its ports (`ports`) and the unit of work (`shared.unit_of_work`); every change of a
customer goes through `changes.Changes`. `CustomerUseCases` is all of them, as `main` wires them.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.customer.use_cases.consent_timeline import ConsentTimeline
from services.customer.use_cases.custom_fields import FieldCommands
from services.customer.use_cases.details import DetailCommands
from services.customer.use_cases.duplicates import DuplicateCommands
from services.customer.use_cases.erasure import ErasureCommands
from services.customer.use_cases.imports import ImportCommands
from services.customer.use_cases.merges import MergeCommands
from services.customer.use_cases.notes import NoteCommands
from services.customer.use_cases.orders import OrderCommands
from services.customer.use_cases.profiles import ProfileCommands
from services.customer.use_cases.queries import CustomerQueries
from services.customer.use_cases.reports import Reports
from services.customer.use_cases.right_of_access import RightOfAccess
from services.customer.use_cases.task_timeline import TaskTimeline


@dataclass
class CustomerUseCases:
    orders: OrderCommands
    imports: ImportCommands
    profiles: ProfileCommands
    details: DetailCommands
    merges: MergeCommands
    erasure: ErasureCommands
    right_of_access: RightOfAccess
    notes: NoteCommands
    fields: FieldCommands
    duplicates: DuplicateCommands
    consent: ConsentTimeline
    tasks: TaskTimeline
    queries: CustomerQueries
    reports: Reports
