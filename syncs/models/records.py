"""The synced tables: one per common object, shaped for developers to query with SQL.

Each table has one column per unified field (JSON for nested values), named as in the
unified model; the provider's record id is the `id` column. Bookkeeping columns: the
connection (and, denormalised for SQL readers, the customer id and provider name),
`raw_data`, `is_deleted`, `last_modified_at`, `synced_at` (when the row was written) and
`last_seen_run_id` (the run that last saw the record: a full run soft-deletes rows it did
not stamp, without holding any set of ids in memory).
"""

from __future__ import annotations

from django.db import models

from connectors.models import Connection

# Columns every record table has that are not unified fields of the object.
BOOKKEEPING_FIELDS = frozenset(
    {"row_id", "connection", "customer_id", "provider_name", "synced_at", "last_seen_run_id"}
)


class EngagementRecord(models.Model):
    row_id = models.BigAutoField(primary_key=True)
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="+")
    customer_id = models.CharField(max_length=255, db_index=True)
    provider_name = models.CharField(max_length=50)
    # The provider's id for the record; the unified `id` (column `id` for SQL readers).
    remote_id = models.CharField("id", max_length=64, db_column="id")
    created_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(null=True)
    is_deleted = models.BooleanField(default=False)
    last_modified_at = models.DateTimeField()
    raw_data = models.JSONField(default=dict)
    synced_at = models.DateTimeField(auto_now=True)
    last_seen_run_id = models.BigIntegerField(null=True)

    object_name: str = ""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.object_name} {self.remote_id}"

    @classmethod
    def unified_field_names(cls) -> list[str]:
        """Model field names holding unified values (`remote_id` is the unified `id`)."""
        return [
            f.name
            for f in cls._meta.concrete_fields
            if f.name not in BOOKKEEPING_FIELDS and not f.primary_key
        ]


def record_meta(table: str, verbose: str) -> type:
    short = table.removeprefix("engagement_")[:20]
    """Meta for a record table: unique per connection and id, indexed for keyset paging."""

    class Meta:
        db_table = table
        verbose_name = verbose
        ordering = ["last_modified_at", "remote_id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "remote_id"], name=f"{table}_uniq")
        ]
        indexes = [
            models.Index(
                fields=["connection", "last_modified_at", "remote_id"], name=f"eng_{short}_page"
            ),
            models.Index(fields=["connection", "last_seen_run_id"], name=f"eng_{short}_seen"),
        ]

    return Meta


class Account(EngagementRecord):
    object_name = "accounts"
    name = models.TextField(null=True)
    domain = models.TextField(null=True)
    owner_id = models.CharField(max_length=64, null=True)
    custom_fields = models.JSONField(default=dict)

    Meta = record_meta("engagement_accounts", "account")


class Contact(EngagementRecord):
    object_name = "contacts"
    first_name = models.TextField(null=True)
    last_name = models.TextField(null=True)
    job_title = models.TextField(null=True)
    address = models.JSONField(null=True)
    email_addresses = models.JSONField(default=list)
    phone_numbers = models.JSONField(default=list)
    owner_id = models.CharField(max_length=64, null=True)
    account_id = models.CharField(max_length=64, null=True)
    open_count = models.IntegerField(default=0)
    click_count = models.IntegerField(default=0)
    reply_count = models.IntegerField(default=0)
    bounced_count = models.IntegerField(default=0)
    custom_fields = models.JSONField(default=dict)
    tags = models.JSONField(default=list)

    Meta = record_meta("engagement_contacts", "contact")


class User(EngagementRecord):
    object_name = "users"
    first_name = models.TextField(null=True)
    last_name = models.TextField(null=True)
    email = models.TextField(null=True)
    is_locked = models.BooleanField(default=False)

    Meta = record_meta("engagement_users", "user")


class Mailbox(EngagementRecord):
    object_name = "mailboxes"
    email = models.TextField(null=True)
    user_id = models.CharField(max_length=64, null=True)
    is_disabled = models.BooleanField(default=False)

    Meta = record_meta("engagement_mailboxes", "mailbox")


class Sequence(EngagementRecord):
    object_name = "sequences"
    owner_id = models.CharField(max_length=64, null=True)
    name = models.TextField(null=True)
    is_enabled = models.BooleanField(default=True)
    is_archived = models.BooleanField(default=False)
    tags = models.JSONField(default=list)
    num_steps = models.IntegerField(null=True)
    metrics = models.JSONField(default=dict)
    share_type = models.CharField(max_length=20, null=True)

    Meta = record_meta("engagement_sequences", "sequence")


class SequenceState(EngagementRecord):
    object_name = "sequence_states"
    state = models.CharField(max_length=50, null=True)
    contact_id = models.CharField(max_length=64, null=True)
    sequence_id = models.CharField(max_length=64, null=True)
    mailbox_id = models.CharField(max_length=64, null=True)
    user_id = models.CharField(max_length=64, null=True)

    Meta = record_meta("engagement_sequence_states", "sequence state")


class Email(EngagementRecord):
    object_name = "emails"
    subject = models.TextField(null=True)
    status = models.CharField(max_length=50, null=True)
    sent_at = models.DateTimeField(null=True)
    recipient_email_address = models.TextField(null=True)
    contact_id = models.CharField(max_length=64, null=True)
    user_id = models.CharField(max_length=64, null=True)
    mailbox_id = models.CharField(max_length=64, null=True)
    sequence_id = models.CharField(max_length=64, null=True)
    sequence_step_id = models.CharField(max_length=64, null=True)
    is_bounced = models.BooleanField(default=False)
    open_count = models.IntegerField(default=0)
    click_count = models.IntegerField(default=0)
    reply_count = models.IntegerField(default=0)

    Meta = record_meta("engagement_emails", "email")


RECORD_MODELS: dict[str, type[EngagementRecord]] = {
    model.object_name: model
    for model in (User, Mailbox, Account, Contact, Sequence, SequenceState, Email)
}
