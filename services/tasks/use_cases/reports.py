"""Figures for team leads: open work per assignee and priority, overdue, time to completion."""

from __future__ import annotations

from dataclasses import dataclass

from services.tasks.domain.report import DEFAULT_WINDOW, median_completion_s
from services.tasks.use_cases.ports import Clock, Tasks
from shared.contracts.tasks import GetTaskReport, OpenTaskCount, TaskPriority, TaskReport

_PRIORITY_ORDER = {p: i for i, p in enumerate(reversed(TaskPriority))}


@dataclass
class TaskReports:
    tasks: Tasks
    clock: Clock

    async def report(self, query: GetTaskReport) -> TaskReport:
        now = self.clock()
        since = query.completed_since or now - DEFAULT_WINDOW
        counts = sorted(
            await self.tasks.open_counts(),
            key=lambda c: (c.assignee, _PRIORITY_ORDER[c.priority]),
        )
        spans = await self.tasks.completion_spans(since)
        return TaskReport(
            open=tuple(
                OpenTaskCount(assignee=c.assignee, priority=c.priority, count=c.count)
                for c in counts
            ),
            open_total=sum(c.count for c in counts),
            overdue=await self.tasks.overdue_count(now),
            completed=len(spans),
            completed_since=since,
            median_completion_s=median_completion_s(spans),
            generated_at=now,
        )
