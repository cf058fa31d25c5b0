import { describe, expect, test } from 'vitest';
import { UsageError } from '../errors.js';
import { describeConnectError, parseRedisUrl, reconnectDelay } from './connection.js';

describe('Redis URLs', () => {
  test('redis:// with user, password, port and db; the password never shows', () => {
    const t = parseRedisUrl('redis://scan:s3cret@10.0.0.5:6380/2');
    expect(t.options).toMatchObject({ host: '10.0.0.5', port: 6380, db: 2, username: 'scan', password: 's3cret' });
    expect(t.options.tls).toBeUndefined();
    expect(t.display).not.toContain('s3cret');
  });

  test('rediss:// turns TLS on; the default port is 6379 and db 0', () => {
    const t = parseRedisUrl('rediss://redis.internal');
    expect(t.options).toMatchObject({ host: 'redis.internal', port: 6379, db: 0, tls: { servername: 'redis.internal' } });
  });

  test('a unix socket path, plain or unix://, with ?db', () => {
    expect(parseRedisUrl('/run/redis/redis.sock').options).toMatchObject({ path: '/run/redis/redis.sock', db: 0 });
    expect(parseRedisUrl('/run/r.sock?db=3').options).toMatchObject({ path: '/run/r.sock', db: 3 });
    expect(parseRedisUrl('unix:///run/r.sock?db=1').options).toMatchObject({ path: '/run/r.sock', db: 1 });
  });

  test('the password comes from the environment when the URL has none; the URL wins otherwise', () => {
    expect(parseRedisUrl('redis://h:1', 'fromenv').options.password).toBe('fromenv');
    expect(parseRedisUrl('/s.sock', 'fromenv').options.password).toBe('fromenv');
    expect(parseRedisUrl('redis://:inurl@h:1', 'fromenv').options.password).toBe('inurl');
    expect(parseRedisUrl('redis://h:1', '').options.password).toBeUndefined();
  });

  test('anything else is a usage error that hides a password', () => {
    for (const bad of ['http://h:1', 'redis://', 'redis://h:1/x', 'localhost:6379']) expect(() => parseRedisUrl(bad)).toThrow(UsageError);
    expect(() => parseRedisUrl('http://u:pw@h')).toThrow(/u:\*\*\*@/);
  });

  test('login refusals and unreachable servers read clearly', () => {
    const t = parseRedisUrl('redis://:pw@h:1');
    expect(describeConnectError(t, new Error('WRONGPASS invalid username-password pair')).message).toMatch(/refused the login \(WRONGPASS\)/);
    expect(describeConnectError(t, Object.assign(new Error('connect ECONNREFUSED 1.2.3.4:1'), { code: 'ECONNREFUSED' })).message).toBe(
      'Cannot reach Redis at redis://:***@h:1: ECONNREFUSED 1.2.3.4:1',
    );
  });

  test('reconnection backs off exponentially up to 5 s', () => {
    expect(reconnectDelay(1)).toBe(200);
    expect(reconnectDelay(3)).toBe(800);
    expect(reconnectDelay(100)).toBe(5000);
  });
});
