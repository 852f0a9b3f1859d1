from .customers import customer_detail, customer_list, customer_outlook
from .flags import (
    flag_add_contact,
    flag_add_note,
    flag_detail,
    flag_dismiss,
    flag_list,
    flag_new,
    flag_place,
    flag_urgent_hand_over,
)

__all__ = [
    "customer_detail",
    "customer_list",
    "flag_add_contact",
    "customer_outlook",
    "flag_add_note",
    "flag_detail",
    "flag_dismiss",
    "flag_list",
    "flag_new",
    "flag_place",
    "flag_urgent_hand_over",
]
