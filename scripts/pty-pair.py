#!/usr/bin/env python3
"""Two pseudo-terminals joined back to back, standing in for a USB serial adapter wired to a
device's UART: hilt opens the first as its console, a getty runs on the second. Both ends stay
open here, so a getty that exits (as login does after its retries) and respawns never hangs up
hilt's side.
    scripts/pty-pair.py HILT_LINK GETTY_LINK
"""
import os
import pty
import select
import sys
import tty


def main():
    ends = []
    for link in sys.argv[1:3]:
        master, slave = pty.openpty()
        tty.setraw(slave)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(os.ttyname(slave), link)
        ends.append((master, slave))
    (a, _), (b, _) = ends
    while True:
        ready, _, _ = select.select([a, b], [], [])
        for fd in ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                continue
            os.write(b if fd == a else a, data)


if __name__ == "__main__":
    main()
