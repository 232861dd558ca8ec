"""``cop-sim demo`` options: a bad port or host gets one line naming the real cause, exit 2.

The checks run before the scenario is loaded and before the server starts, so no browser
and no server are needed here.
"""

from __future__ import annotations

import socket

import pytest

from cop_sim.cli import main
from cop_sim.cli.demo import check_listen, page_url
from cop_sim.params import InputError


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("port", ["70000", "-1", "0", "65536"])
def test_a_port_out_of_range_is_one_line_naming_the_range(capsys, port):
    assert main(["demo", "--port", port]) == 2
    line = _one_line_error(capsys)
    assert "--port" in line and f"got {port}" in line and "1 to 65535" in line


def test_an_unresolvable_host_is_named_as_such_not_as_a_busy_port(capsys):
    assert main(["demo", "--host", "no-such-host.invalid", "--port", "8765"]) == 2
    line = _one_line_error(capsys)
    assert "cannot resolve the host name 'no-such-host.invalid'" in line
    assert "in use" not in line


def test_an_address_of_another_machine_is_named_as_such(capsys):
    assert main(["demo", "--host", "192.0.2.1", "--port", "8765"]) == 2  # TEST-NET-1: never local
    line = _one_line_error(capsys)
    assert "'192.0.2.1' is not an address of this machine" in line
    assert "in use" not in line


@pytest.mark.parametrize(("family", "host"), [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")])
def test_a_busy_port_is_reported_as_busy_on_its_host(capsys, family, host):
    try:
        busy = socket.socket(family, socket.SOCK_STREAM)
        busy.bind((host, 0))
    except OSError:
        pytest.skip(f"no {host} on this machine")
    with busy:
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["demo", "--host", host, "--port", str(port)]) == 2
    line = _one_line_error(capsys)
    assert f"--port: {port} is already in use on {host}" in line


def test_an_ipv6_host_is_accepted_where_the_machine_has_ipv6_and_refused_clearly_where_not():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:  # a port free on loopback
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", port))
        has_ipv6 = True
    except OSError:
        has_ipv6 = False
    if has_ipv6:
        check_listen("::1", port)  # no error: the demo serves on ::1
        assert page_url("::1", port) == f"http://[::1]:{port}/"
    else:
        with pytest.raises(InputError, match="IPv6|not an address of this machine"):
            check_listen("::1", port)
