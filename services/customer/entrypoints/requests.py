"""Request/reply: the gateway asks and waits (a person is waiting behind it).

Queries are answered with their view. A command that arrives this way runs the same use case as
on the work queue; the reply reads what it changed (`Ref`) and carries the changed resource. A
refusal is answered as a problem that names the field (`shared.rpc.answer` maps domain errors),
and a body that fits no contract too: a request/reply always replies.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from faststream.rabbit import RabbitRouter

from services.customer.use_cases.ports import Ref
from shared.contracts import custom_fields, customer_details, customer_notes, customers, duplicates
from shared.contracts.customer_history import GetCustomerOrders, GetTimeline
from shared.contracts.customer_overview import GetCustomerOverview
from shared.contracts.customer_reports import (
    NewCustomersPerDay,
    OpenDuplicates,
    RepeatPurchaseRate,
    TopCustomersByRevenue,
)
from shared.contracts.envelope import Message
from shared.contracts.privacy import GetCustomerExport, RecordDataExport
from shared.contracts.replies import Problem, ProblemError
from shared.dispatch import Dispatcher, Received
from shared.redelivery import TransientFailure
from shared.rpc import answer

if TYPE_CHECKING:
    from services.customer.use_cases import CustomerUseCases
    from shared.topology import Topology

M = TypeVar("M", bound=Message)
UseCase = Callable[[M], Awaitable[Ref]]
Reply = Callable[[Ref], Awaitable[Any]]


def answered_commands(cases: CustomerUseCases) -> list[tuple[type[Any], UseCase[Any], Reply]]:
    """Commands a requester may wait for: (command, use case, what the answer shows)."""
    q, p, d, n, f = cases.queries, cases.profiles, cases.details, cases.notes, cases.fields

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

    access = cases.right_of_access
    return [
        (customers.CreateCustomer, p.create, customer),
        (customers.UpdateCustomer, p.update, customer),
        (customers.ChangeTags, p.change_tags, customer),
        (customers.DisableCustomer, p.disable, customer),
        (customers.EnableCustomer, p.enable, customer),
        (customers.RequirePasswordReset, p.require_password_reset, customer),
        (customers.MergeCustomers, cases.merges.merge, customer),
        (customers.EraseCustomer, cases.erasure.erase, customer),
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
        (duplicates.DismissDuplicate, cases.duplicates.dismiss, candidate),
        (RecordDataExport, access.record_export, access.export_recorded),
    ]


def answering(use_case: UseCase[M], reply: Reply) -> Callable[[M], Awaitable[Any]]:
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


def request_dispatcher(cases: CustomerUseCases) -> Dispatcher[Any]:
    q, r = cases.queries, cases.reports
    dispatcher: Dispatcher[Any] = Dispatcher()
    dispatcher.register(customers.GetCustomer, q.get)
    dispatcher.register(customers.FindCustomers, q.find)
    dispatcher.register(GetCustomerOrders, q.orders_of)
    dispatcher.register(GetTimeline, q.timeline)
    dispatcher.register(GetCustomerOverview, q.overview)
    dispatcher.register(GetCustomerExport, cases.right_of_access.export)
    dispatcher.register(customer_notes.ListNotes, q.notes_of)
    dispatcher.register(custom_fields.ListCustomFields, q.custom_fields)
    dispatcher.register(custom_fields.GetCustomField, q.custom_field)
    dispatcher.register(duplicates.ListDuplicates, q.duplicate_candidates)
    dispatcher.register(duplicates.GetDuplicate, q.duplicate)
    dispatcher.register(NewCustomersPerDay, r.new_customers)
    dispatcher.register(RepeatPurchaseRate, r.repeat_purchase)
    dispatcher.register(TopCustomersByRevenue, r.top_customers)
    dispatcher.register(OpenDuplicates, r.open_duplicates)
    for command, use_case, reply in answered_commands(cases):
        dispatcher.register(command, answering(use_case, reply))
    return dispatcher


def request_router(topology: Topology, dispatcher: Dispatcher[Any]) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(topology.rpc_subscription("customer"), title="customer requests")
    @dispatcher.typed
    async def on_request(body: Received) -> dict[str, Any]:
        return await answer(dispatcher, body)

    return router
