"""The Wolkvox real-time API: client, payload mapping, errors and a simulator."""
