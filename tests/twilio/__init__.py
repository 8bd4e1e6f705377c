"""Twilio Routes v2."""
