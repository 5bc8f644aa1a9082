#!/usr/bin/env python3
"""An agent asks Assent for a human decision before a dangerous tool call.

Two HTTP calls, with nothing but Python's standard library: POST /v1/gates opens a gate, which
reviewers see in the dashboard like any approval; GET /v1/gates/{id}?wait=30s waits for their
decision. The agent acts only on approval, with the reviewer's edits applied, and on rejection
it gets the reviewer's feedback back.

    ASSENT_URL=http://127.0.0.1:8080 ASSENT_TOKEN=<token> python3 examples/agent_gate.py

ASSENT_TOKEN is the agent's own token (`assent users add agent --service`, then
`assent tokens create agent`); the gate names who decides it ("group:finance").
"""

import json
import os
import sys
import urllib.error
import urllib.request

ASSENT_URL = os.environ.get("ASSENT_URL", "http://127.0.0.1:8080").rstrip("/")
ASSENT_TOKEN = os.environ["ASSENT_TOKEN"]


def call(method, path, body=None, headers=None):
    """One request to Assent; its JSON answer, or SystemExit with Assent's error."""
    request = urllib.request.Request(
        ASSENT_URL + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + ASSENT_TOKEN,
                 "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        problem = json.load(error).get("error", {})
        sys.exit(f"assent said {error.code} {problem.get('code')}: {problem.get('message')}")


def ask_a_human(title, message, context, approvers, timeout, key):
    """Opens a gate and waits for its outcome; the gate as Assent answers it."""
    gate = call("POST", "/v1/gates",
                {"title": title, "message": message, "context": context,
                 "approvers": approvers, "timeout": timeout},
                # Asking again after a crash or a network error opens no second gate.
                headers={"Idempotency-Key": key})
    print(f"waiting for a decision on gate {gate['id']}", flush=True)
    while gate["status"] == "pending":
        gate = call("GET", f"/v1/gates/{gate['id']}?wait=30s")
    return gate


def refund(order, amount):
    """The tool call that must not run without a human's yes."""
    print(f"refunded {amount} EUR on order {order}", flush=True)


def main():
    order = os.environ.get("ORDER", "A-1001")
    gate = ask_a_human(
        title=f"Refund order {order}",
        message="The support agent wants to refund this order in full.",
        context={"order": order, "amount": 129.90, "customer": "jane@example.com"},
        approvers=["group:support-leads"],
        timeout="1h",
        key=f"refund-{order}")
    if gate["status"] == "approved":
        # Act on what was approved: a reviewer may have edited the amount.
        approved = gate["approved_context"]
        refund(approved["order"], approved["amount"])
    elif gate["status"] == "rejected":
        # Feed the reviewer's words back to the agent, so it can do better.
        print(f"rejected by {gate['reviewer']}: {gate['feedback']}", flush=True)
        return 1
    else:
        print(f"no refund: the gate is {gate['status']}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
