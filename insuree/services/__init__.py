"""Every write to families and insurees.

Rules enforced here (and, for the hard ones, again by the database; see models.py):
- Registering a family needs `insuree.add_family` and `insuree.add_insuree`; changing a family
  `insuree.change_family`; changing a person `insuree.change_insuree`; adding a member `insuree.add_insuree`;
  deleting a family `insuree.delete_family` (and `insuree.delete_insuree` when its members go too).
- A family is registered in one transaction with its head and members: the head is inserted without a family,
  the family with its head, then the members; the database checks at commit (deferred trigger) that the head is
  a member, and the services run that check before returning so a breach is a domain error.
- A family has a head; the head is a member, never leaves the family (remove, move) before another member
  becomes head (`family_change_head`: the new head must be a member; the new head's relationship is cleared
  and the former head's becomes the given one).
- The family's village, and a person's current village when given, is an active village in the user's scope;
  families and people outside the scope are refused (403) and never reached by pages or the API (404).
- Names are required (surrounding spaces dropped), gender and date of birth too; the date of birth is not in
  the future; the e-mail, when given, is a valid address; lengths and choices as in models.py.
- An insurance number typed in is checked by the scheme (`NumberScheme.problem`: digits, length, check digit);
  left empty it is generated (`NumberScheme.generate`), retried a few times if the number is taken.
  A number already used (by anyone, constraint `insuree_number_unique`) is refused as
  "This insurance number is already used" on the field of that person (`head.insurance_number`,
  `members.2.insurance_number`). The number is for life: `insuree_update` does not change it.
- A typed number that is a pre-printed card-stock number is taken from the stock in the same transaction
  (`card_services.stock_number_take`: once only); generated numbers never use a reserved stock number.
- A head under 18 with no adult member is allowed, with a warning returned to show the officer.
- Removing a member from the family keeps the person (found by their current village, the family's village if
  unset); deleting a family deletes its members or detaches them (`detach_members`).
- A photo is a JPEG, PNG or WebP by content (Pillow), at most settings.PHOTO_MAX_BYTES, stored as a JPEG of at
  most 600 x 800 (quality 85, EXIF orientation applied, metadata dropped); `photo_date` becomes today.
Every function runs in one transaction: on any refusal nothing is written. The one exception: a photo refused for
its content is recorded (`PhotoRejection`, see photos.py) in a transaction of its own before the refusal is raised.
"""

from .families import (
    FAMILY_FIELDS,
    PERSON_FIELDS,
    FamilyResult,
    family_change_head,
    family_delete,
    family_register,
    family_update,
    insuree_add_to_family,
    insuree_move_to_family,
    insuree_remove_from_family,
    insuree_update,
    number_used_message,
)
from .photos import insuree_set_photo, normalise_photo, photo_rejection_record

__all__ = [
    "FAMILY_FIELDS",
    "PERSON_FIELDS",
    "FamilyResult",
    "family_change_head",
    "family_delete",
    "family_register",
    "family_update",
    "insuree_add_to_family",
    "insuree_move_to_family",
    "insuree_remove_from_family",
    "insuree_set_photo",
    "insuree_update",
    "normalise_photo",
    "number_used_message",
    "photo_rejection_record",
]
