/**
 * SCRAM client messages against the RFC test vectors (RFC 5802 section 5
 * for SHA-1, RFC 7677 section 3 for SHA-256), SHA-512 against a
 * server side computed with node:crypto, and refusals of bad server messages.
 */
import assert from "node:assert/strict";
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { describe, test } from "node:test";
import { AuthenticationError } from "../../src/errors.ts";
import { saslName, scramExchange } from "../../src/kafka/network/scram.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);

describe("SCRAM test vectors", () => {
  test("RFC 5802 (SHA-1): client-first, client-final with proof, server signature accepted", async () => {
    const scram = scramExchange("SHA-1", "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
    assert.equal(text(scram.first()), "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
    const final = await scram.final(bytes("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"));
    assert.equal(text(final), "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
    await scram.verify(bytes("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="));
  });

  test("RFC 7677 (SHA-256): client-first, client-final with proof, server signature accepted", async () => {
    const scram = scramExchange("SHA-256", "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    assert.equal(text(scram.first()), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    const final = await scram.final(bytes("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
    assert.equal(text(final), "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    await scram.verify(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
  });

  test("SHA-512 proof and server signature match an independent computation", async () => {
    const password = "scram p@ss/w+rd%2";
    const clientNonce = "abcdefghijklmnop";
    const serverFirst = `r=${clientNonce}SERVERPART,s=${Buffer.from("salty salt").toString("base64")},i=4096`;
    const scram = scramExchange("SHA-512", "notify,scram=", password, clientNonce);
    assert.equal(text(scram.first()), `n,,n=notify=2Cscram=3D,r=${clientNonce}`);
    const final = text(await scram.final(bytes(serverFirst)));

    const salted = pbkdf2Sync(password, "salty salt", 4096, 64, "sha512");
    const clientKey = createHmac("sha512", salted).update("Client Key").digest();
    const storedKey = createHash("sha512").update(clientKey).digest();
    const withoutProof = `c=biws,r=${clientNonce}SERVERPART`;
    const authMessage = `n=notify=2Cscram=3D,r=${clientNonce},${serverFirst},${withoutProof}`;
    const signature = createHmac("sha512", storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] as number)));
    assert.equal(final, `${withoutProof},p=${proof.toString("base64")}`);

    const serverKey = createHmac("sha512", salted).update("Server Key").digest();
    await scram.verify(bytes(`v=${createHmac("sha512", serverKey).update(authMessage).digest("base64")}`));
  });
});

describe("SCRAM refusals", () => {
  const nonce = "rOprNGfwEbeRWgbNEkqO";
  const serverFirst = `r=${nonce}%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`;

  test("a server signature that does not match is an AuthenticationError without the password", async () => {
    const scram = scramExchange("SHA-256", "user", "pencil", nonce);
    await scram.final(bytes(serverFirst));
    await assert.rejects(scram.verify(bytes("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")), (error: Error) => {
      assert.ok(error instanceof AuthenticationError);
      assert.match(error.message, /signature does not match/);
      assert.doesNotMatch(error.message, /pencil/);
      return true;
    });
  });

  test("a server nonce that does not extend ours is refused", async () => {
    const scram = scramExchange("SHA-256", "user", "pencil", nonce);
    await assert.rejects(scram.final(bytes("r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")), /nonce does not extend/);
    await assert.rejects(scramExchange("SHA-256", "u", "p", nonce).final(bytes(`r=${nonce},s=W22Z,i=4096`)), /nonce/);
  });

  test("too few iterations, a missing salt, an extension and a server error are refused", async () => {
    const first = (message: string) => scramExchange("SHA-256", "user", "pencil", nonce).final(bytes(message));
    await assert.rejects(first(`r=${nonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1`), /iteration count 1 is outside/);
    await assert.rejects(first(`r=${nonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=many`), /iteration count many/);
    await assert.rejects(first(`r=${nonce}x,i=4096`), /no salt/);
    await assert.rejects(first(`m=ext,r=${nonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`), /extension/);
    await assert.rejects(
      first("e=other-error"),
      (error: Error) => error instanceof AuthenticationError && /other-error/.test(error.message),
    );
  });

  test("a server-final error is reported", async () => {
    const scram = scramExchange("SHA-256", "user", "pencil", nonce);
    await scram.final(bytes(serverFirst));
    await assert.rejects(scram.verify(bytes("e=invalid-proof")), /refused: invalid-proof/);
  });

  test("saslName escapes = and , only", () => {
    assert.equal(saslName("a=b,c d"), "a=3Db=2Cc d");
  });

  test("two exchanges use different random nonces", () => {
    const a = text(scramExchange("SHA-256", "u", "p").first());
    const b = text(scramExchange("SHA-256", "u", "p").first());
    assert.match(a, /^n,,n=u,r=[A-Za-z0-9+/=]{32}$/);
    assert.notEqual(a, b);
  });
});
