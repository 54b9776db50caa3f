"""The cluster's accounts, as the users file defines them (name:uid:gid lines; node-lib.sh's list_users checks
them when the node starts, before anything reads them here)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int


def read_accounts(path):
    accounts = []
    with open(path) as f:
        for line in f:
            line = "".join(line.split("#", 1)[0].split())
            if line:
                name, uid, gid = line.split(":")
                accounts.append(Account(name, int(uid), int(gid)))
    return accounts
