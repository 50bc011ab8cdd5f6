"""Every published table, declared once, grouped by concern.

`fields` holds the fields several tables share (the same name means the same thing
everywhere) and the values an enumerated field may take; each other module declares the
tables of one concern. `nianbao.datasets.registry.TABLES` lists them all.
"""
