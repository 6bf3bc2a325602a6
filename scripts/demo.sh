#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The demonstration arrives with ecmpd (namespaces, traffic, failover).
echo "make demo: the end-to-end demonstration arrives with ecmpd."
echo "Today: 'make test' runs the data path on crafted frames; 'make bench' measures it."
