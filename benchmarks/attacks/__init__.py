"""The attack run: attacks on a running Champion Clone server, as an outsider (and a staff
member with a grudge) would try them, each answering *held* or *NOT HELD* with one line of
evidence. ``benchmarks/attack_run.py`` is the command; ``base`` holds the registry, ``http``
the clients, ``scene`` the accounts and objects the attacks share, and one module per
heading of attacks. Every request goes to 127.0.0.1 only, with a timeout."""
