"""fakeroute: a stateful fake of the Flowroute, Twilio Routes v2 and AgentMessage APIs for tests."""

__version__ = "0.1.0"
