"""Tests against real servers: named, NSD, Knot, Unbound, delv (the ``real_lab`` fixture,
marker ``real``); skipped where the real-server lab cannot run."""
