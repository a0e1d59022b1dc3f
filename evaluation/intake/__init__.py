"""Intake: read a coordinator's file, recognise the instrument, validate, pseudonymise, store."""
