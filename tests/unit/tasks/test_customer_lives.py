"""Merges, erasure and disabling of customers, as the tasks use cases follow them."""

from __future__ import annotations

from datetime import timedelta

from shared.contracts.customers import (
    CustomerDisabled,
    CustomerErased,
    CustomerRef,
    CustomersMerged,
    CustomerStatus,
)
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.tasks import (
    CommentOnTask,
    CreateTask,
    GetCustomerTasks,
    TaskAction,
    TaskChanged,
    TaskDraft,
    TaskStatus,
)
from tests.unit.tasks.fakes import Service

ANNA = Actor(type=ActorType.SUPPORTER, id="anna")
SYSTEM = Actor(type=ActorType.SYSTEM, id="customer-service")


def ref(customer_id: str, version: int = 1, status: str = "active") -> CustomerRef:
    return CustomerRef(
        customer_id=customer_id,
        customer_number=10001,
        version=version,
        status=CustomerStatus(status),
    )


async def service_with(*customer_ids: str) -> Service:
    service = Service()
    for customer_id in customer_ids:
        await service.customers.apply(ref(customer_id))
    return service


async def task_of(service: Service, customer_id: str, title: str = "Call back") -> str:
    draft = TaskDraft(
        title=title,
        customer_id=customer_id,
        description=f"About {customer_id}",
        next_action="Phone at 10",
        due_at=service.clock.now + timedelta(days=1),
    )
    return (await service.changes.create(CreateTask(task=draft, actor=ANNA))).id


async def test_a_merge_moves_the_absorbed_customers_tasks_to_the_master() -> None:
    service = await service_with("master", "dup1", "dup2")
    mine, theirs, other = (
        await task_of(service, "dup1"),
        await task_of(service, "dup2"),
        await task_of(service, "master"),
    )
    merge = CustomersMerged(
        master=ref("master", version=2), absorbed_ids=("dup1", "dup2"), actor=ANNA
    )
    await service.lives.merged(merge)
    await service.lives.merged(merge)  # delivered twice
    for task_id in (mine, theirs, other):
        assert service.tasks.stored[task_id].customer_id == "master"
    moved = service.tasks.stored[mine]
    assert moved.last_entry.action == TaskAction.CUSTOMER_MERGED
    assert moved.version == 2
    assert [e.task_id for e in service.published.of(TaskChanged)] == [mine, theirs]
    page = await service.queries.open_tasks_of_customer(
        GetCustomerTasks(customer_id="master", actor=ANNA)
    )
    assert {t.id for t in page.items} == {mine, theirs, other}


async def test_an_erasure_removes_the_text_and_keeps_the_history() -> None:
    service = await service_with("c1", "c2")
    erased_task = await task_of(service, "c1", title="Call Anna Schmidt")
    await service.changes.comment(CommentOnTask(task_id=erased_task, text="Anna moved", actor=ANNA))
    kept = await task_of(service, "c2")
    await service.lives.erased(
        CustomerErased(customer=ref("c1", version=2, status="erased"), actor=SYSTEM)
    )
    task = service.tasks.stored[erased_task]
    assert (task.title, task.description, task.next_action) == (None, None, None)
    assert [c.text for c in task.comments] == [None]
    assert [(e.action, e.actor) for e in task.history] == [
        (TaskAction.CREATED, ANNA),
        (TaskAction.COMMENTED, ANNA),
        (TaskAction.ERASED, SYSTEM),
    ]
    assert service.tasks.stored[kept].title == "Call back"
    assert service.sent.forgotten == ["c1"]


async def test_a_disabled_customers_open_tasks_stay_open() -> None:
    service = await service_with("c1")
    task_id = await task_of(service, "c1")
    before = service.tasks.stored[task_id]
    disabled = ref("c1", version=2, status="disabled")
    assert await service.lives.learn(CustomerDisabled(customer=disabled, actor=SYSTEM))
    assert service.tasks.stored[task_id] == before
    assert before.status == TaskStatus.PENDING
    assert (await service.customers.get("c1")) == disabled
