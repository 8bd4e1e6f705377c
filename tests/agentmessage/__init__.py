"""AgentMessage phone numbers v1."""
