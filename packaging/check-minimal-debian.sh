#!/bin/sh
# Checks the README's apt line on a minimal Debian: builds a bare root with debootstrap, installs
# exactly that line, and opens a Qt window on the xcb platform under Xvfb with the PySide6 the project pins.
#
#   sudo packaging/check-minimal-debian.sh [ROOT_DIR] [SUITE]     (defaults: /tmp/studio-debroot bookworm)
#
# Needs root, debootstrap and network access to Debian and PyPI. Takes a few minutes and about 1 GB;
# the root is left in place for a look afterwards (remove it with rm -rf once the script has finished).
# Give a new ROOT_DIR for each check: a reused root keeps what earlier runs installed, Xvfb's libraries too.
set -eu

root=${1:-/tmp/studio-debroot}
suite=${2:-bookworm}
repo=$(cd "$(dirname "$0")/.." && pwd)

# The package list is read from the README so that the line users copy is the line that is checked.
packages=$(sed -n 's/.*`sudo apt-get install \([^`]*\)`.*/\1/p' "$repo/README.md")
[ -n "$packages" ] || { echo "no 'sudo apt-get install' line found in README.md" >&2; exit 1; }

in_root() {
    # A clean environment: the host's PIP_* or proxy settings must not leak into the check.
    chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive PIP_CERT=/root/host-ca.crt PIP_DISABLE_PIP_VERSION_CHECK=1 \
        /bin/sh -euc "$1"
}

unmount_all() {
    for mnt in dev sys proc; do
        # Lazily if still busy: xvfb-run does not wait for the Xvfb it stops.
        if mountpoint -q "$root/$mnt"; then umount -R "$root/$mnt" 2>/dev/null || umount -R -l "$root/$mnt"; fi
    done
}

[ -x "$root/usr/bin/apt-get" ] || debootstrap --variant=minbase "$suite" "$root" http://deb.debian.org/debian
trap unmount_all EXIT
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
for mnt in sys dev; do
    mountpoint -q "$root/$mnt" || { mount --rbind "/$mnt" "$root/$mnt" && mount --make-rslave "$root/$mnt"; }
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
# pip inside the root trusts what the host trusts (a TLS-inspecting proxy is unknown to a fresh root).
cp /etc/ssl/certs/ca-certificates.crt "$root/root/host-ca.crt"

# The Qt the project pins, with its markers (pip picks the line for the root's Python).
grep -o '"PySide6-Essentials[^"]*"' "$repo/pyproject.toml" | tr -d '"' >"$root/root/qt-requirements.txt"

echo "== apt-get install --no-install-recommends $packages"
in_root "apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends python3 python3-venv $packages >/dev/null"
in_root 'python3 -m venv /root/venv && /root/venv/bin/pip install -q -r /root/qt-requirements.txt'

# Before Xvfb comes in (it brings X libraries of its own): every library that the Qt modules the app uses
# and the plugins of a window on xcb link must resolve. libqpdf.so is left out: it needs QtPdf, which
# PySide6-Essentials does not ship, and Qt skips it.
echo "== libraries the xcb platform links"
in_root 'qt=$(echo /root/venv/lib/python3*/site-packages/PySide6)
for lib in $qt/QtCore.abi3.so $qt/QtGui.abi3.so $qt/QtWidgets.abi3.so $qt/Qt/lib/libQt6Core.so.6 \
        $qt/Qt/lib/libQt6Gui.so.6 $qt/Qt/lib/libQt6Widgets.so.6 $qt/Qt/lib/libQt6DBus.so.6 \
        $qt/Qt/lib/libQt6XcbQpa.so.6 $qt/Qt/lib/libQt6Svg.so.6 $qt/Qt/plugins/platforms/libqxcb.so \
        $qt/Qt/plugins/xcbglintegrations/*.so $qt/Qt/plugins/iconengines/*.so $qt/Qt/plugins/imageformats/*.so; do
    [ "${lib##*/}" = libqpdf.so ] || ldd "$lib" | awk "/not found/ {print \$1}"
done | sort -u >/root/missing.txt
if [ -s /root/missing.txt ]; then echo "not found:" $(cat /root/missing.txt); exit 1; fi
echo "all resolve"'

echo "== a window on xcb under Xvfb"
in_root 'apt-get install -y -q --no-install-recommends xvfb xauth >/dev/null'
cat >"$root/root/open_window.py" <<'EOF'
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv)
label = QLabel("Generative Studio")
label.show()


def report_and_quit():
    shown = label.windowHandle().isExposed()
    print(f"platform {app.platformName()}, window shown: {shown}")
    app.exit(0 if app.platformName() == "xcb" and shown else 1)


QTimer.singleShot(500, report_and_quit)
sys.exit(app.exec())
EOF
in_root 'QT_QPA_PLATFORM=xcb xvfb-run -a /root/venv/bin/python /root/open_window.py'
echo "== the README's apt line is enough on a minimal Debian $suite"
