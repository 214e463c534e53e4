"""Phonebooks: a user's contact lists, the numbers (contacts) in them and the custom options
(extra fields) a phonebook's contacts carry.

Per user: another user's phonebook, contact or option is not found. A contact is a tuple (a big
phonebook gives the garbage collector nothing to track) of its national number and fields; a
phonebook keeps its contacts in the order they came and an index by number (a number is in a
phonebook at most once). Bounded: at most `max_size` numbers in a phonebook and `max_numbers`
over all phonebooks (more are refused, never evicted), 1,000 phonebooks and 200 options a user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ippanel_mock.models.clock import SandboxClock
from ippanel_mock.models.errors import FieldErrors, NotFound, RuleBroken, collect, invalid
from ippanel_mock.models.phones import InvalidRecipient, national_number
from ippanel_mock.models.users import User

OPTION_TYPES = ("int", "string", "date")
MAX_PHONEBOOKS = 1_000
MAX_OPTIONS = 200
MAX_SIZE = 100_000
MAX_NUMBERS = 500_000
FIRST_PHONEBOOK_ID = 860_001
FIRST_CONTACT_ID = 1_001
FIRST_OPTION_ID = 46_001
MSG_PHONEBOOK_NOT_FOUND = "دفترچه تلفن مورد نظر یافت نشد"
MSG_CONTACT_NOT_FOUND = "شماره مورد نظر در دفترچه تلفن یافت نشد"
MSG_OPTION_NOT_FOUND = "فیلد مورد نظر یافت نشد"
MSG_FULL = "ظرفیت دفترچه تلفن تکمیل است"
MSG_TOO_MANY_PHONEBOOKS = f"حداکثر {MAX_PHONEBOOKS} دفترچه تلفن می‌توانید بسازید"
MSG_TOO_MANY_OPTIONS = f"حداکثر {MAX_OPTIONS} فیلد می‌توانید بسازید"
MSG_NUMBER_EXISTS = "این شماره در دفترچه تلفن وجود دارد"
MSG_BAD_NUMBER = "شماره موبایل معتبر نیست"
MSG_BAD_EMAIL = "ایمیل معتبر نیست"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DATE = re.compile(r"[0-9]{4}[/-][0-9]{1,2}[/-][0-9]{1,2}")
_INTEGER = re.compile(r"-?[0-9]{1,18}")


class Contact(NamedTuple):
    id: int
    phonebook_id: int
    number: int
    """National number (9XXXXXXXXX)."""
    pre: str
    name: str
    email: str
    options: tuple[tuple[int, str], ...]
    created_at: float
    updated_at: float


@dataclass(slots=True)
class Option:
    id: int
    title: str
    type: str
    created_at: float


@dataclass(slots=True, eq=False)
class Phonebook:
    id: int
    username: str
    title: str
    option_ids: tuple[int, ...]
    created_at: float
    updated_at: float
    import_status: int | None = None
    export_status: int | None = None
    members: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    """Contact id -> the contact as a plain tuple, in the order they came: the garbage
    collector stops tracking plain tuples of plain values (a NamedTuple stays tracked), so a
    big phonebook does not lengthen every full collection. Read them through `contacts()`."""
    by_number: dict[int, int] = field(default_factory=dict)
    """National number -> contact id."""

    @property
    def size(self) -> int:
        return len(self.members)

    def contacts(self) -> Iterator[Contact]:
        return map(Contact._make, self.members.values())

    def contact(self, contact_id: int) -> Contact:
        return Contact._make(self.members[contact_id])


@dataclass(frozen=True, slots=True)
class ContactFields:
    """What a request says about a contact; checked against its phonebook by `contact_problems`."""

    number: object
    pre: str = ""
    name: str = ""
    email: str = ""
    options: Mapping[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class StoreOutcome:
    added: int = 0
    errors: int = 0
    existences: int = 0


@dataclass(frozen=True, slots=True)
class ContactFilter:
    phonebook_id: int | None = None
    phonebook_title: str | None = None
    number: int | None = None
    from_created_at: float | None = None

    def books(self, books: Iterable[Phonebook]) -> Iterator[Phonebook]:
        for book in books:
            if self.phonebook_id not in (None, book.id):
                continue
            if self.phonebook_title is not None and self.phonebook_title not in book.title:
                continue
            yield book

    def keeps(self, contact: Contact) -> bool:
        return (self.number is None or contact.number == self.number) and (
            self.from_created_at is None or contact.created_at >= self.from_created_at
        )


def value_problem(option: Option, value: object) -> str | None:
    text = value if isinstance(value, str) else str(value)
    if option.type == "int" and not _INTEGER.fullmatch(text):
        return f"مقدار فیلد {option.title} باید عدد صحیح باشد"
    if option.type == "date" and not _DATE.fullmatch(text):
        return f"مقدار فیلد {option.title} باید تاریخ (YYYY/MM/DD) باشد"
    if len(text) > 255:
        return f"مقدار فیلد {option.title} نباید بیشتر از 255 نویسه باشد"
    return None


class PhonebookStore:
    def __init__(
        self, clock: SandboxClock, *, max_size: int = MAX_SIZE, max_numbers: int = MAX_NUMBERS
    ) -> None:
        self.clock = clock
        self.max_size = max_size
        self.max_numbers = max_numbers
        self._books: dict[int, Phonebook] = {}
        self._options: dict[str, dict[int, Option]] = {}
        self._contact_book: dict[int, int] = {}
        """Contact id -> its phonebook's id, over all users."""
        self.reset()

    def reset(self) -> None:
        self._books.clear()
        self._options.clear()
        self._contact_book.clear()
        self._next_book = FIRST_PHONEBOOK_ID
        self._next_contact = FIRST_CONTACT_ID
        self._next_option = FIRST_OPTION_ID

    @property
    def stored(self) -> int:
        """Numbers stored over all phonebooks of all users."""
        return len(self._contact_book)

    # -- options ---------------------------------------------------------------------------

    def options(self, user: User) -> list[Option]:
        return list(self._options.get(user.username, {}).values())

    def add_option(self, user: User, title: str, kind: str) -> Option:
        options = self._options.setdefault(user.username, {})
        if len(options) >= MAX_OPTIONS:
            raise RuleBroken(MSG_TOO_MANY_OPTIONS)
        option = Option(self._next_option, title, kind, self.clock.now())
        self._next_option += 1
        options[option.id] = option
        return option

    def rename_option(self, user: User, option_id: int, title: str | None) -> None:
        option = self._option(user, option_id)
        if title is not None:
            option.title = title

    def delete_options(self, user: User, option_ids: Iterable[int]) -> None:
        """All of them (and from every phonebook of the user), or none when one is not found."""
        wanted = self._owned_options(user, option_ids)
        for option_id in wanted:
            del self._options[user.username][option_id]
        for book in self.books(user):
            book.option_ids = tuple(i for i in book.option_ids if i not in wanted)

    def option_of(self, user: User, option_id: int) -> Option | None:
        return self._options.get(user.username, {}).get(option_id)

    def _option(self, user: User, option_id: int) -> Option:
        option = self.option_of(user, option_id)
        if option is None:
            raise NotFound(MSG_OPTION_NOT_FOUND)
        return option

    def _owned_options(self, user: User, option_ids: Iterable[int]) -> set[int]:
        wanted = set(option_ids)
        if not wanted <= self._options.get(user.username, {}).keys():
            raise NotFound(MSG_OPTION_NOT_FOUND)
        return wanted

    # -- phonebooks ------------------------------------------------------------------------

    def books(self, user: User) -> list[Phonebook]:
        return self.all(user.username)

    def all(self, username: str | None = None) -> list[Phonebook]:
        """Every phonebook (of one user when named), for the admin API."""
        return [b for b in self._books.values() if username in (None, b.username)]

    def get_any(self, phonebook_id: int) -> Phonebook | None:
        return self._books.get(phonebook_id)

    def book(self, user: User, phonebook_id: int) -> Phonebook:
        book = self._books.get(phonebook_id)
        if book is None or book.username != user.username:
            raise NotFound(MSG_PHONEBOOK_NOT_FOUND)
        return book

    def create(self, user: User, title: str, option_ids: Iterable[int] = ()) -> Phonebook:
        if len(self.books(user)) >= MAX_PHONEBOOKS:
            raise RuleBroken(MSG_TOO_MANY_PHONEBOOKS)
        options = tuple(dict.fromkeys(option_ids))
        self._owned_options(user, options)
        now = self.clock.now()
        book = Phonebook(self._next_book, user.username, title, options, now, now)
        self._next_book += 1
        self._books[book.id] = book
        return book

    def update(
        self, user: User, phonebook_id: int, title: str | None, option_ids: Iterable[int] | None
    ) -> None:
        book = self.book(user, phonebook_id)
        if option_ids is not None:
            options = tuple(dict.fromkeys(option_ids))
            self._owned_options(user, options)
            book.option_ids = options
        if title is not None:
            book.title = title
        book.updated_at = self.clock.now()

    def delete(self, user: User, phonebook_ids: Iterable[int]) -> None:
        """All of them with their numbers, or none when one is not found."""
        books = [self.book(user, i) for i in set(phonebook_ids)]
        for book in books:
            for contact_id in book.members:
                del self._contact_book[contact_id]
            del self._books[book.id]

    # -- contacts --------------------------------------------------------------------------

    def contact_problems(self, user: User, book: Phonebook, fields: ContactFields) -> FieldErrors:
        """Field problems of a contact for `book` (an empty dict: it may be stored)."""
        problems: FieldErrors = {}
        try:
            national_number(fields.number)  # type: ignore[arg-type]
        except (InvalidRecipient, TypeError, AttributeError):
            collect(problems, "number", MSG_BAD_NUMBER)
        if fields.email and not _EMAIL.fullmatch(fields.email):
            collect(problems, "email", MSG_BAD_EMAIL)
        for key, value in fields.options.items():
            option = self.option_of(user, int(key)) if key.isascii() and key.isdigit() else None
            if option is None or option.id not in book.option_ids:
                collect(problems, f"options.{key}", MSG_OPTION_NOT_FOUND)
            elif (problem := value_problem(option, value)) is not None:
                collect(problems, f"options.{key}", problem)
        return problems

    def has_room(self, book: Phonebook, more: int = 1) -> bool:
        """Whether `more` numbers fit in `book` (0: one moved in from another phonebook)."""
        return book.size + max(more, 1) <= self.max_size and self.stored + more <= self.max_numbers

    def make_contact(
        self, book: Phonebook, fields: ContactFields, *, replacing: Contact | None = None
    ) -> Contact:
        """A contact of checked fields for `book` (not stored yet): a new one, or `replacing`
        an existing one (same id and creation time)."""
        now = self.clock.now()
        if replacing is None:
            contact_id, created_at = self._next_contact, now
            self._next_contact += 1
        else:
            contact_id, created_at = replacing.id, replacing.created_at
        return Contact(
            contact_id,
            book.id,
            national_number(fields.number),  # type: ignore[arg-type]
            fields.pre,
            fields.name,
            fields.email,
            tuple((int(k), str(v)) for k, v in fields.options.items()),
            created_at,
            now,
        )

    def put(self, book: Phonebook, contact: Contact) -> None:
        book.members[contact.id] = tuple(contact)
        book.by_number[contact.number] = contact.id
        self._contact_book[contact.id] = book.id

    def add_contacts(self, user: User, items: Iterable[tuple[int, ContactFields]]) -> StoreOutcome:
        """Each (phonebook id, fields) stored when valid, new to its phonebook and within the
        bounds, else counted as an error or an existence. NotFound (nothing stored) when a
        phonebook is not the user's."""
        listed = list(items)
        books = {i: self.book(user, i) for i in {phonebook_id for phonebook_id, _ in listed}}
        outcome = StoreOutcome()
        for phonebook_id, fields in listed:
            book = books[phonebook_id]
            if self.contact_problems(user, book, fields) or not self.has_room(book):
                outcome.errors += 1
            elif national_number(fields.number) in book.by_number:  # type: ignore[arg-type]
                outcome.existences += 1
            else:
                self.put(book, self.make_contact(book, fields))
                outcome.added += 1
        return outcome

    def member(self, book: Phonebook, contact_id: int) -> Contact:
        """A number of `book` by its id (NotFound if it is not in that phonebook)."""
        if contact_id not in book.members:
            raise NotFound(MSG_CONTACT_NOT_FOUND)
        return book.contact(contact_id)

    def keep(self, user: User, phonebook_id: int, fields: ContactFields) -> bool:
        """Store checked fields unless the number is there already or there is no room (as a
        pattern send keeps its recipient: the send goes out either way)."""
        book = self.book(user, phonebook_id)
        if national_number(fields.number) in book.by_number or not self.has_room(book):  # type: ignore[arg-type]
            return False
        self.put(book, self.make_contact(book, fields))
        return True

    def contact(self, user: User, contact_id: int) -> tuple[Phonebook, Contact]:
        phonebook_id = self._contact_book.get(contact_id)
        book = self._books.get(phonebook_id) if phonebook_id is not None else None
        if book is None or book.username != user.username:
            raise NotFound(MSG_CONTACT_NOT_FOUND)
        return book, book.contact(contact_id)

    def update_contact(
        self, user: User, contact_id: int, phonebook_id: int, fields: ContactFields
    ) -> None:
        """Replace a contact's fields, moving it to `phonebook_id`; InvalidFields, NotFound or
        RuleBroken (number taken there, phonebook full) change nothing."""
        book, old = self.contact(user, contact_id)
        target = self.book(user, phonebook_id)
        problems = self.contact_problems(user, target, fields)
        if problems:
            raise invalid(problems)
        number = national_number(fields.number)  # type: ignore[arg-type]
        if target.by_number.get(number, contact_id) != contact_id:
            raise RuleBroken(MSG_NUMBER_EXISTS)
        if target is not book and not self.has_room(target, 0):
            raise RuleBroken(MSG_FULL)
        self._remove(book, old)
        updated = self.make_contact(target, fields, replacing=old)
        self.put(target, updated)
        target.updated_at = updated.updated_at

    def delete_contacts(self, user: User, contact_ids: Iterable[int]) -> None:
        """All of them, or none when one is not the user's."""
        found = [self.contact(user, i) for i in set(contact_ids)]
        for book, contact in found:
            self._remove(book, contact)

    def _remove(self, book: Phonebook, contact: Contact) -> None:
        del book.members[contact.id]
        del book.by_number[contact.number]
        del self._contact_book[contact.id]

    def contacts(self, user: User, wanted: ContactFilter) -> tuple[Iterator[Contact], int]:
        """The user's contacts that `wanted` keeps (phonebook by phonebook, each in the order
        its numbers came) and how many there are; nothing is copied."""
        books = list(wanted.books(self.books(user)))
        if wanted.number is None and wanted.from_created_at is None:
            total = sum(b.size for b in books)
        else:
            total = sum(1 for b in books for c in b.contacts() if wanted.keeps(c))
        chosen = (c for b in books for c in b.contacts() if wanted.keeps(c))
        return chosen, total
