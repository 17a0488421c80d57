"""Message entry points: the work-queue consumer and the request/reply responder.

Commands arrive two ways. Over the work queue (from ingest, other services, a replay) they are
processed and acknowledged; a failure is retried or parked by the redelivery middleware. Over
request/reply (from the gateway, which must answer a person at once) the same use case runs and
the reply carries the changed resource, or a problem that names the field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from faststream.rabbit import RabbitRouter

from services.customer.consent_timeline import ConsentTimeline
from services.customer.data_access import DataAccess
from services.customer.details_commands import DetailCommands
from services.customer.duplicate_commands import DuplicateCommands
from services.customer.erasure_commands import ErasureCommands
from services.customer.field_commands import FieldCommands
from services.customer.import_commands import ImportCommands
from services.customer.merge_commands import MergeCommands
from services.customer.note_commands import NoteCommands
from services.customer.order_import import OrderImport
from services.customer.profile_commands import ProfileCommands
from services.customer.queries import CustomerQueries
from services.customer.reports import Reports
from services.customer.shop_erasure import ShopErasure
from shared.contracts import (
    custom_fields,
    customer_details,
    customer_notes,
    customers,
    duplicates,
    privacy,
)
from shared.contracts.consent import ConsentChanged
from shared.contracts.customer_history import GetCustomerOrders, GetTimeline
from shared.contracts.customer_reports import (
    NewCustomersPerDay,
    OpenDuplicates,
    RepeatPurchaseRate,
    TopCustomersByRevenue,
)
from shared.contracts.envelope import Message
from shared.contracts.orders import UpsertCustomerFromOrder
from shared.contracts.replies import Problem, ProblemError
from shared.dispatch import Dispatcher
from shared.redelivery import TransientFailure
from shared.rpc import answer
from shared.topology import Topology

M = TypeVar("M", bound=Message)
Ref = dict[str, str]
UseCase = Callable[[M], Awaitable[Ref]]


@dataclass
class CustomerService:
    """Every use case of the service, as the composition root wired them."""

    orders: OrderImport
    imports: ImportCommands
    profiles: ProfileCommands
    details: DetailCommands
    merges: MergeCommands
    erasure: ErasureCommands
    shop_erasure: ShopErasure
    data_access: DataAccess
    notes: NoteCommands
    fields: FieldCommands
    duplicates: DuplicateCommands
    consent: ConsentTimeline
    queries: CustomerQueries
    reports: Reports

    def commands(self) -> list[tuple[type[Any], UseCase[Any], Callable[[Ref], Awaitable[Any]]]]:
        """(command, use case, what the requester is answered with)."""
        q = self.queries

        async def customer(ref: Ref) -> Any:
            return await q.view(ref["customer_id"])

        async def address(ref: Ref) -> Any:
            return await q.address(ref["customer_id"], ref["address_id"])

        async def account(ref: Ref) -> Any:
            return await q.bank_account(ref["customer_id"], ref["account_id"])

        async def note(ref: Ref) -> Any:
            return await q.note(ref["customer_id"], ref["note_id"])

        async def field(ref: Ref) -> Any:
            return await q.field(ref["key"])

        async def candidate(ref: Ref) -> Any:
            return await q.candidate(ref["candidate_id"])

        async def nothing(_: Ref) -> None:
            return None

        p, d, n, f = self.profiles, self.details, self.notes, self.fields
        access = self.data_access
        return [
            (customers.CreateCustomer, p.create, customer),
            (customers.UpdateCustomer, p.update, customer),
            (customers.ChangeTags, p.change_tags, customer),
            (customers.DisableCustomer, p.disable, customer),
            (customers.EnableCustomer, p.enable, customer),
            (customers.RequirePasswordReset, p.require_password_reset, customer),
            (customers.MergeCustomers, self.merges.merge, customer),
            (customers.EraseCustomer, self.erasure.erase, customer),
            (customer_details.AddAddress, d.add_address, address),
            (customer_details.ChangeAddress, d.change_address, address),
            (customer_details.RemoveAddress, d.remove_address, nothing),
            (customer_details.AddBankAccount, d.add_bank_account, account),
            (customer_details.RemoveBankAccount, d.remove_bank_account, nothing),
            (customer_notes.AddNote, n.add, note),
            (customer_notes.ChangeNote, n.change, note),
            (customer_notes.RemoveNote, n.remove, nothing),
            (custom_fields.DefineCustomField, f.define, field),
            (custom_fields.ChangeCustomField, f.change, field),
            (custom_fields.RemoveCustomField, f.remove, nothing),
            (duplicates.DismissDuplicate, self.duplicates.dismiss, candidate),
            (privacy.RecordDataExport, access.record_export, access.export_recorded),
        ]


def command_router(topology: Topology, service: CustomerService) -> RabbitRouter:
    # Events of other services about customers arrive here too; unhandled ones are skipped.
    dispatcher: Dispatcher[object] = Dispatcher(ignore=("consent.",))
    dispatcher.register(UpsertCustomerFromOrder, service.orders.upsert_from_order)
    dispatcher.register(ConsentChanged, service.consent.record)
    dispatcher.register(customers.ImportCustomer, service.imports.import_customer)
    # Privacy requests of shops, from ingest.
    dispatcher.register(privacy.RecordDataRequest, service.data_access.record_request)
    dispatcher.register(privacy.EraseChannelCustomer, service.erasure.erase_channel_customer)
    dispatcher.register(privacy.EraseShop, service.shop_erasure.erase_shop)
    dispatcher.register(privacy.EraseShopFromCustomer, service.shop_erasure.erase_from_customer)
    for command, use_case, _ in service.commands():
        dispatcher.register(command, use_case)
    router = RabbitRouter()

    @router.subscriber(topology.customer.subscription(), title="customer commands")
    async def on_command(body: Any) -> None:
        await dispatcher.dispatch(body)

    return router


def query_router(topology: Topology, service: CustomerService) -> RabbitRouter:
    q, r = service.queries, service.reports
    dispatcher: Dispatcher[Any] = Dispatcher()
    dispatcher.register(customers.GetCustomer, q.get)
    dispatcher.register(customers.FindCustomers, q.find)
    dispatcher.register(GetCustomerOrders, q.orders_of)
    dispatcher.register(GetTimeline, q.timeline)
    dispatcher.register(privacy.GetCustomerExport, service.data_access.export)
    dispatcher.register(customer_notes.ListNotes, q.notes_of)
    dispatcher.register(custom_fields.ListCustomFields, q.custom_fields)
    dispatcher.register(custom_fields.GetCustomField, q.custom_field)
    dispatcher.register(duplicates.ListDuplicates, q.duplicate_candidates)
    dispatcher.register(duplicates.GetDuplicate, q.duplicate)
    dispatcher.register(NewCustomersPerDay, r.new_customers)
    dispatcher.register(RepeatPurchaseRate, r.repeat_purchase)
    dispatcher.register(TopCustomersByRevenue, r.top_customers)
    dispatcher.register(OpenDuplicates, r.open_duplicates)
    for command, use_case, reply in service.commands():
        dispatcher.register(command, answering(use_case, reply))
    router = RabbitRouter()

    @router.subscriber(topology.rpc_subscription("customer"), title="customer requests")
    async def on_request(body: Any) -> dict[str, Any]:
        return await answer(dispatcher, body)

    return router


def answering(
    use_case: UseCase[M], reply: Callable[[Ref], Awaitable[Any]]
) -> Callable[[M], Awaitable[Any]]:
    """Run the command, then read what it changed for the reply."""

    async def handle(command: M) -> Any:
        try:
            ref = await use_case(command)
        except TransientFailure as error:
            raise ProblemError(
                Problem(
                    type="urn:problem:busy",
                    title="The customer is being changed by others",
                    status=503,
                    detail=f"{error}; send the request again",
                ),
                headers={"Retry-After": "1"},
            ) from error
        return await reply(ref)

    return handle
