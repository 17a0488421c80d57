"""How the customer service shows its data to the rest of the suite: the views of the contracts.

Built here, at the edge of the domain, so that the domain's models never take a wire shape.
"""

from __future__ import annotations

from services.customer.domain.custom_fields import FieldDefinition
from services.customer.domain.customer import Customer
from services.customer.domain.duplicates import Candidate
from services.customer.domain.history import Activity
from services.customer.domain.notes import Note
from services.customer.domain.orders import OrderSummary
from shared.contracts.custom_fields import CustomFieldView
from shared.contracts.customer_details import AddressView, BankAccountView
from shared.contracts.customer_history import ActivityView, OrderSummaryView
from shared.contracts.customer_notes import NoteView
from shared.contracts.customers import (
    CustomerRef,
    CustomerStatsView,
    CustomerView,
    EmailView,
    ProvenanceView,
)
from shared.contracts.duplicates import DuplicateCandidateView


def customer_view(customer: Customer) -> CustomerView:
    return CustomerView(
        id=customer.id,
        customer_number=customer.number,
        status=customer.status,
        version=customer.version,
        title=customer.title,
        first_name=customer.first_name,
        last_name=customer.last_name,
        company=customer.company,
        gender=customer.gender,
        birthday=customer.birthday,
        language=customer.language,
        emails=tuple(EmailView(address=e.address, primary=e.primary) for e in customer.emails),
        phones=customer.phones,
        unverified_phones=customer.unverified_phones,
        addresses=tuple(
            AddressView(
                **a.model_dump(),
                default_billing=a.id == customer.default_billing_id,
                default_shipping=a.id == customer.default_shipping_id,
            )
            for a in customer.addresses
        ),
        bank_accounts=tuple(
            BankAccountView(
                id=b.id,
                iban_masked=b.iban_masked,
                bic=b.bic,
                bank_name=b.bank_name,
                country_code=b.country_code,
                holder=b.holder,
                added_at=b.added_at,
            )
            for b in customer.bank_accounts
        ),
        tags=customer.tags,
        company_id=customer.company_id,
        channels=customer.channels,
        channel_accounts=customer.channel_accounts,
        password_reset_required=customer.password_reset_required,
        extra=customer.extra,
        stats=CustomerStatsView(**customer.stats.model_dump()),
        provenance={
            name: ProvenanceView(
                source=p.source,
                at=p.at,
                actor_type=p.actor.type.value,
                actor_id=p.actor.id,
                by_hand=p.by_hand,
            )
            for name, p in customer.provenance.items()
        },
        merged_into=customer.merged_into,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


def customer_ref(customer: Customer) -> CustomerRef:
    return CustomerRef(
        customer_id=customer.id,
        customer_number=customer.number,
        version=customer.version,
        status=customer.status,
        display_name=customer.display_name,
        primary_email=customer.primary_email,
    )


def activity_view(activity: Activity) -> ActivityView:
    return ActivityView(**activity.model_dump(exclude={"recorded_on"}))


def order_view(summary: OrderSummary) -> OrderSummaryView:
    return OrderSummaryView(**summary.model_dump())


def note_view(note: Note) -> NoteView:
    return NoteView(**note.model_dump())


def field_view(definition: FieldDefinition) -> CustomFieldView:
    return CustomFieldView(**definition.model_dump())


def candidate_view(candidate: Candidate) -> DuplicateCandidateView:
    return DuplicateCandidateView(**candidate.model_dump())
