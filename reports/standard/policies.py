"""Policies reports."""

from ..base import Report

REPORTS: tuple[Report, ...] = ()
