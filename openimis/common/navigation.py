"""The main menu: each entry is shown to users holding its permission. Apps add their entries here."""

from django.utils.translation import gettext_lazy as _

# (label, url name, permission or None, icon)
NAV_ENTRIES = [
    (_("Home"), "home", None, "house"),
    (_("Locations"), "location:location_list", "location.view_location", "geo-alt"),
    (_("Health facilities"), "location:facility_list", "location.view_healthfacility", "hospital"),
    (_("Users"), "location:user_list", "accounts.view_user", "people"),
    (_("Jobs"), "common:job_list", None, "hourglass-split"),
]
