"""Jurisdictions (province → city → county), the rulebook version each is bound to, and the
administrator's confirmations to proceed under a rulebook that is a draft or has expired."""
