#!/usr/bin/python3
"""An SSH ProxyCommand over KubeVirt's port-forward, written only against
python3-websocket (websocket-client): it opens

  wss://SERVER/apis/subresources.kubevirt.io/v1/namespaces/NS/
      virtualmachineinstances/NAME/portforward/PORT/tcp

with subprotocol "plain.kubevirt.io" (what virtctl port-forward sends,
kubevirt client-go subresources/constants.go) and a bearer token, and pumps
stdin to binary messages and binary messages to stdout until either side
ends.

usage: kv_portforward.py SERVER CA_FILE NAMESPACE VMI PORT   (token in $KV_TOKEN)
On a refused upgrade it prints the HTTP status and the Status message to
stderr and exits 1.
"""
import json
import os
import ssl
import sys
import threading
import urllib.error
import urllib.request

import websocket


def main():
    server, ca, ns, vmi, port = sys.argv[1:6]
    url = "wss://%s/apis/subresources.kubevirt.io/v1/namespaces/%s/virtualmachineinstances/%s/portforward/%s/tcp" % (
        server.split("://", 1)[-1], ns, vmi, port)
    try:
        ws = websocket.create_connection(
            url, header=["Authorization: Bearer " + os.environ["KV_TOKEN"]],
            subprotocols=["plain.kubevirt.io"], sslopt={"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": ca},
            timeout=30)
    except websocket.WebSocketBadStatusException as e:
        # websocket-client keeps no body; virt-api answers the same Status
        # to a plain GET, as it dials the VM before it upgrades
        msg = ""
        req = urllib.request.Request(url.replace("wss://", "https://", 1),
                                     headers={"Authorization": "Bearer " + os.environ["KV_TOKEN"]})
        try:
            urllib.request.urlopen(req, context=ssl.create_default_context(cafile=ca), timeout=30)
        except urllib.error.HTTPError as he:
            msg = json.loads(he.read() or b"{}").get("message", "")
        sys.stderr.write("portforward: HTTP %s %s\n" % (e.status_code, msg))
        return 1
    if ws.getsubprotocol() != "plain.kubevirt.io":
        sys.stderr.write("portforward: subprotocol %r\n" % ws.getsubprotocol())
        return 1
    ws.settimeout(None)
    out = sys.stdout.buffer

    def up():
        inp = sys.stdin.buffer.raw
        while True:
            b = os.read(inp.fileno(), 65536)
            if not b:
                break
            ws.send_binary(b)

    t = threading.Thread(target=up, daemon=True)
    t.start()
    while True:
        try:
            op, data = ws.recv_data(control_frame=False)
        except (websocket.WebSocketConnectionClosedException, OSError):
            break
        if op == websocket.ABNF.OPCODE_CLOSE:
            break
        if op == websocket.ABNF.OPCODE_BINARY:
            out.write(data)
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
