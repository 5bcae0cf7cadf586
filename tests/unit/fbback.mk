# SPDX-License-Identifier: Apache-2.0
# Host unit tests of keel-fbback's checks of frontend-written values (dom0/keel-fbback).
UNIT_TESTS += fbcheck
UNIT_SRCS_fbcheck := dom0/keel-fbback/fbcheck.c dom0/keel-fbback/keysym.c
UNIT_TESTS += qmp
UNIT_SRCS_qmp := dom0/keel-fbback/qmp.c
