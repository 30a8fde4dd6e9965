/**
 * DingTalk's HTTP callback security (事件订阅, 加解密): the URL carries `signature` (or
 * `msg_signature`), `timestamp` and `nonce`; the body is `{"encrypt": …}`. The signature is the
 * SHA-1 hex of the token, timestamp, nonce and ciphertext sorted and joined. The ciphertext is
 * AES-256-CBC (key: the 43-character EncodingAESKey base64-decoded, IV: its first 16 bytes,
 * PKCS#7 padding to 32 bytes) of random(16) · length(4, big-endian) · message · owner key (the
 * corpId, or the app key, or a suite key). The answer is "success", encrypted the same way.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { UnauthenticatedError } from "../../domain/kernel/errors.ts";

/** DingTalk signs its callbacks (msg_signature): the 401's challenge names that scheme, not a bearer token. */
const challenge = 'DingTalk-Signature realm="laurel"';

const block = 32;

export interface DingTalkCallbackConfig {
  token: string;
  encodingAesKey: string;
  ownerKey: string;
}

export class DingTalkCallbackCrypto {
  readonly #token: string;
  readonly #key: Buffer;
  readonly #owner: string;

  constructor(config: DingTalkCallbackConfig) {
    if (config.encodingAesKey.length !== 43) throw new Error("A DingTalk EncodingAESKey has 43 characters.");
    this.#token = config.token;
    this.#key = Buffer.from(`${config.encodingAesKey}=`, "base64");
    this.#owner = config.ownerKey;
  }

  signature(timestamp: string, nonce: string, encrypt: string): string {
    return createHash("sha1").update([this.#token, timestamp, nonce, encrypt].sort().join("")).digest("hex");
  }

  /** The message DingTalk sent, once its signature and its owner key check out; else a 401. */
  decrypt(signature: string, timestamp: string, nonce: string, encrypt: string): string {
    const expected = Buffer.from(this.signature(timestamp, nonce, encrypt));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UnauthenticatedError("The DingTalk callback's signature does not match.", { challenge });
    }
    let plain: Buffer;
    try {
      const decipher = createDecipheriv("aes-256-cbc", this.#key, this.#key.subarray(0, 16)).setAutoPadding(false);
      const padded = Buffer.concat([decipher.update(Buffer.from(encrypt, "base64")), decipher.final()]);
      const pad = padded.at(-1) ?? 0;
      if (pad < 1 || pad > block) throw new Error("bad padding");
      plain = padded.subarray(0, padded.length - pad);
    } catch (error) {
      throw new UnauthenticatedError("The DingTalk callback cannot be decrypted with this EncodingAESKey.", { cause: error, challenge });
    }
    const length = plain.readUInt32BE(16);
    const message = plain.subarray(20, 20 + length).toString("utf8");
    if (plain.subarray(20 + length).toString("utf8") !== this.#owner) {
      throw new UnauthenticatedError("The DingTalk callback is for another corp or app.", { challenge });
    }
    return message;
  }

  /** The encrypted answer DingTalk expects (the plain text is "success" for a handled event). */
  encrypt(message: string, timestamp: string, nonce: string, random: Buffer = randomBytes(16)) {
    const body = Buffer.from(message, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const plain = Buffer.concat([random, length, body, Buffer.from(this.#owner, "utf8")]);
    const pad = block - (plain.length % block);
    const cipher = createCipheriv("aes-256-cbc", this.#key, this.#key.subarray(0, 16)).setAutoPadding(false);
    const encrypt = Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString("base64");
    return { msg_signature: this.signature(timestamp, nonce, encrypt), timeStamp: timestamp, nonce, encrypt };
  }
}
