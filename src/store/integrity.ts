import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

const ED25519_SIGNATURE_BYTES = 64;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Validate a user-given sha256; returns it lowercased. */
export function normaliseSha256(hex: string): string {
  const h = hex.trim().toLowerCase();
  if (!SHA256_HEX.test(h)) throw new UsageError('Expected 64 hex characters for `sha256`');
  return h;
}

/** sha256 (hex) of the key's DER SubjectPublicKeyInfo. */
export function keyFingerprint(key: KeyObject): string {
  return sha256Hex(key.export({ type: 'spki', format: 'der' }));
}

export function loadPublicKey(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(readFileSync(path));
  } catch (err) {
    throw new UsageError(`Cannot read an Ed25519 public key (PEM) from ${path}: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new UsageError(`${path} holds a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; expected Ed25519`);
  }
  return key;
}

/** A detached Ed25519 signature: 64 raw bytes, or the same as base64 or hex text. */
export function loadSignature(path: string): Buffer {
  const raw = readFileSync(path);
  if (raw.length === ED25519_SIGNATURE_BYTES) return raw;
  const text = raw.toString('latin1').trim();
  if (/^[0-9a-fA-F]{128}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{86}==$/.test(text)) return Buffer.from(text, 'base64');
  throw new UsageError(`${path} is not an Ed25519 signature (64 bytes raw, base64 or hex)`);
}

export interface VerifiedFile {
  readonly sha256: string;
  readonly keyFingerprint: string;
}

/**
 * Verify a detached Ed25519 signature over the whole file. node:crypto's Ed25519 is one-shot,
 * so the file is read into memory for this check only; the import then streams it again and
 * refuses if its sha256 differs from the verified bytes'.
 */
export function verifyFileSignature(file: string, signaturePath: string, publicKeyPath: string): VerifiedFile {
  const key = loadPublicKey(publicKeyPath);
  const signature = loadSignature(signaturePath);
  const data = readFileSync(file);
  if (!verify(null, data, key, signature)) {
    throw new UsageError(`${file}: the Ed25519 signature in ${signaturePath} does not verify with ${publicKeyPath}; nothing imported`);
  }
  return { sha256: sha256Hex(data), keyFingerprint: keyFingerprint(key) };
}
