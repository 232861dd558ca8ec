"""The teaching demo: a browser view of a community of practice learning (Solara, offline).

Importing this package does not import Solara: Solara reads its settings from the
environment when first imported, so ``cop_sim.demo.assets.configure_environment`` must run first.
"""
