"""Shared model base and the administrator-entered working-day calendar."""

from __future__ import annotations

from django.db import models

from sanxiang.common.canonical import canonical_bytes, sha256_hex


class Recorded(models.Model):
    """A row whose every write is logged in the ledger together with a hash of its state.

    `sanxiang verify_ledger` recomputes `ledger_state_hash()` for every row of every Recorded
    model and compares it with the latest ledger entry that names the row, so an edit or a
    deletion made outside the services is found.
    """

    class Meta:
        abstract = True

    def ledger_ref(self) -> str:
        return f"{self._meta.label_lower}:{self.pk}"

    def ledger_state(self) -> dict:
        """The row's own columns as plain values (many-to-many links are rows of their own).

        `ledger_index` columns are back-references to the log itself and are left out.
        """
        return {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields
                if f.attname != "ledger_index"}

    def ledger_state_hash(self) -> str:
        return sha256_hex(canonical_bytes(self.ledger_state()))


class CalendarYear(Recorded):
    """A year whose public holidays an administrator has entered in full (调休 included).

    Needed for years the chinesecalendar release does not know yet: without it, a deadline in
    such a year is an explicit error, never a weekends-only guess.
    """

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("依据", max_length=200, help_text="如：国务院办公厅关于2027年部分节假日安排的通知")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarOverride(Recorded):
    """One day whose working status an administrator set (holiday or adjusted working weekend)."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_working_day else '休息'}"


class Counter(models.Model):
    """A gapless number sequence per scope (e.g. decisions of one agency in one year).

    Incremented under a row lock inside the issuing transaction, so a rolled-back issue frees
    its number and two concurrent issues never get the same one.
    """

    scope = models.CharField(max_length=120, unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "编号计数器"

    def __str__(self) -> str:
        return f"{self.scope}: {self.value}"


def next_number(scope: str) -> int:
    """Next number in `scope`; call inside the transaction that uses it."""
    Counter.objects.get_or_create(scope=scope)
    counter = Counter.objects.select_for_update().get(scope=scope)
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value
