"""The SCRAM-SHA-1 server of the sandbox's DocumentDB (sandbox.dataplane.scram) against published vectors."""

from __future__ import annotations

import base64

import pytest

from sandbox.dataplane.scram import Conversation, ScramError, derive, mongodb_credentials, mongodb_password

# The SCRAM-SHA-1 conversation of MongoDB's authentication specification (user "user", password "pencil").
MONGO_SALT = base64.b64decode("rQ9ZY3MntBeuP3E1TDVC4w==")
MONGO_CLIENT_FIRST = b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
MONGO_SERVER_NONCE = "Ho+Vgk7qvUOKUwuWLIWg4l/9SraGMHEE"
MONGO_SERVER_FIRST = b"r=fyko+d2lbbFgONRv9qkxdawLHo+Vgk7qvUOKUwuWLIWg4l/9SraGMHEE,s=rQ9ZY3MntBeuP3E1TDVC4w==,i=10000"
MONGO_CLIENT_FINAL = (b"c=biws,r=fyko+d2lbbFgONRv9qkxdawLHo+Vgk7qvUOKUwuWLIWg4l/9SraGMHEE,"
                      b"p=MC2T8BvbmWRckDw8oWl5IVghwCY=")
MONGO_SERVER_FINAL = b"v=UMWeI25JD1yNYZRMpZ4VHvhZ9e0="


def mongo_conversation() -> Conversation:
    credentials = mongodb_credentials("user", "pencil", MONGO_SALT)
    return Conversation(lambda name: credentials if name == "user" else None, MONGO_SERVER_NONCE)


def test_mongodb_specification_conversation() -> None:
    conversation = mongo_conversation()
    assert conversation.first(MONGO_CLIENT_FIRST) == MONGO_SERVER_FIRST
    assert conversation.final(MONGO_CLIENT_FINAL) == MONGO_SERVER_FINAL
    assert conversation.username == "user"


def test_rfc_5802_conversation_with_the_plain_password() -> None:
    credentials = derive("user", "pencil", base64.b64decode("QSXCR+Q6sek8bf92"), 4096)
    conversation = Conversation(lambda name: credentials, "3rfcNHYJY1ZVvWVs7j")
    assert conversation.first(b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL") == (
        b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
    assert conversation.final(b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
                              b"p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=") == b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ="


def test_the_mongodb_password_is_the_md5_digest_of_user_mongo_password() -> None:
    assert mongodb_password("user", "pencil") == "1c33006ec1ffd90f9cadcbcc0e118200"


def test_stored_credentials_hold_neither_the_password_nor_its_digest() -> None:
    credentials = mongodb_credentials("user", "pencil")
    assert len(credentials.salt) == 16 and credentials.iterations == 10_000
    assert "pencil" not in repr(credentials)
    assert mongodb_password("user", "pencil").encode() not in credentials.stored_key + credentials.server_key
    assert mongodb_credentials("user", "pencil").salt != credentials.salt  # a fresh salt each time


@pytest.mark.parametrize("client_final", [
    MONGO_CLIENT_FINAL.replace(b"p=MC2T", b"p=MC3T"),  # wrong proof
    MONGO_CLIENT_FINAL.replace(b"HEE,p=", b"HEF,p="),  # another nonce
    MONGO_CLIENT_FINAL.replace(b"c=biws", b"c=eSws"),  # another channel binding
    MONGO_CLIENT_FINAL.rpartition(b",p=")[0],  # no proof
    MONGO_CLIENT_FINAL.replace(b"p=MC2T8BvbmWRckDw8oWl5IVghwCY=", b"p=!!"),  # not base64
])
def test_a_bad_client_final_message_is_refused(client_final: bytes) -> None:
    conversation = mongo_conversation()
    conversation.first(MONGO_CLIENT_FIRST)
    with pytest.raises(ScramError):
        conversation.final(client_final)


@pytest.mark.parametrize("client_first", [
    b"n,,n=nobody,r=abc",  # unknown user
    b"p=tls-unique,,n=user,r=abc",  # channel binding asked for
    b"n,,r=abc,n=user",  # attributes out of order
    b"n,,n=us=er,r=abc",  # a bad escape in the user name
])
def test_a_bad_client_first_message_is_refused(client_first: bytes) -> None:
    with pytest.raises(ScramError):
        mongo_conversation().first(client_first)


def test_user_names_are_unescaped() -> None:
    credentials = mongodb_credentials("a,b=c", "pencil")
    conversation = Conversation(lambda name: credentials if name == "a,b=c" else None)
    assert conversation.first(b"n,,n=a=2Cb=3Dc,r=abc").startswith(b"r=abc")
    assert conversation.username == "a,b=c"


def test_final_before_first_is_refused() -> None:
    with pytest.raises(ScramError):
        mongo_conversation().final(MONGO_CLIENT_FINAL)
