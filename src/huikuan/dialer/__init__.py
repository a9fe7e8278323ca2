"""Dialer: campaigns, the leased work queue, retry rules per outcome and the robot worker.

Modules: `campaigns` (the service), `retry` (rules), `pick` (which number), `tasks` (leases),
`repository` (all the dialer's SQL, on its own tables),
`worker` (the asyncio lines), `simulate` (a virtual day on the worker), `cli`.
"""
