"""Shared by the matrix-nio scenarios that encrypt: clients with an Olm store of their own (python3-olm)."""
import shutil
import tempfile

from nio import AsyncClient, AsyncClientConfig, KeysUploadResponse, LoginResponse, RegisterResponse

import common
from common import BASE_URL, PASSWORD, WAIT, check, expect, unique

ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
_stores = []


def e2e_client(name):
    """A nio client with encryption on and an Olm store of its own."""
    store = tempfile.mkdtemp(prefix="nio-store-")
    _stores.append(store)
    config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False, max_timeouts=2,
                               max_limit_exceeded=5, request_timeout=WAIT)
    c = AsyncClient(BASE_URL, name, store_path=store, config=config)
    common._clients.append(c)
    return c


async def e2e_user(prefix):
    """Registers a user and logs in on an encrypting client that has uploaded its keys."""
    name = unique(prefix)
    await expect(await common.client(name).register(name, PASSWORD), RegisterResponse, f"register {name}")
    return await e2e_login(name)


async def e2e_login(name):
    c = e2e_client(name)
    await expect(await c.login(PASSWORD, device_name="nio e2e"), LoginResponse, f"login {name}")
    check(c.olm is not None, f"{name}: nio did not load its encryption store after login")
    check(c.should_upload_keys, f"{name}: a new device has keys to upload")
    up = await expect(await c.keys_upload(), KeysUploadResponse, f"keys_upload of {c.user_id}")
    check(up.signed_curve25519_count > 0, f"keys_upload of {c.user_id}: counts {up}")
    check(c.olm_account_shared, f"{c.user_id}: nio did not take its keys as uploaded")
    return c


def remove_stores():
    for store in _stores:
        shutil.rmtree(store, ignore_errors=True)
