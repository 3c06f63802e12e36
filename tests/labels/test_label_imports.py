"""labels/ and devices/ stay free of edge/, central/, Flask and paho."""

from __future__ import annotations

import subprocess
import sys


def test_labels_and_printers_import_no_app_code():
    code = (
        "import sys, labels, labels.gs1, devices.printers, shopfloor.label_cli\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'edge', 'central', 'flask', 'paho'})\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
