import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';

/** Digests of one file as an RDSv3 row holds them (the FILE view shows them upper-case). */
export interface RdsFile {
  readonly md5: string;
  readonly sha1: string;
  readonly sha256: string;
  readonly name: string;
  readonly size: number;
}

/**
 * An NSRL RDSv3-shaped SQLite database: the real PACKAGE_OBJECT, METADATA and VERSION tables and
 * FILE view (names and columns as NIST publishes them), with `files` plus `randomRows` rows of
 * random digests (a few of them sharing a package, some duplicated as RDS does).
 */
export function makeRdsDb(path: string, files: readonly RdsFile[], randomRows: number): void {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE PACKAGE_OBJECT (package_object_id INTEGER UNIQUE NOT NULL, package_id INTEGER NOT NULL, object_id INTEGER UNIQUE NOT NULL,
      CONSTRAINT PK_PACKAGE_OBJECT__PACKAGE_OBJECT_ID PRIMARY KEY (package_object_id));
    CREATE TABLE METADATA (metadata_id NUMERIC UNIQUE NOT NULL, object_id INTEGER, key_hash VARCHAR NOT NULL, image_hash VARCHAR,
      path VARCHAR NOT NULL, path_b64 VARCHAR, path_coding VARCHAR, file_name VARCHAR NOT NULL, file_name_b64 VARCHAR,
      file_name_coding VARCHAR, extension VARCHAR DEFAULT '' NOT NULL, extension_b64 VARCHAR, extension_coding VARCHAR,
      bytes INTEGER NOT NULL, mtime TIMESTAMP, used_in_rds TIMESTAMP, update_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL,
      recursion_level INTEGER, extractee_id INTEGER DEFAULT 0, crc32 VARCHAR NOT NULL, md5 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL,
      sha256 VARCHAR NOT NULL, CONSTRAINT PK_METADATA__METADATA_ID PRIMARY KEY (metadata_id));
    CREATE TABLE VERSION (version VARCHAR UNIQUE NOT NULL, build_set VARCHAR NOT NULL, build_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL,
      release_date TIMESTAMP NOT NULL, description VARCHAR NOT NULL, CONSTRAINT PK_VERSION__VERSION PRIMARY KEY (version));
    CREATE VIEW FILE AS SELECT UPPER(md.sha256) AS sha256, UPPER(md.sha1) AS sha1, UPPER(md.md5) AS md5,
      CASE md.extension WHEN '' THEN md.file_name ELSE md.file_name||'.'||md.extension END AS file_name,
      md.bytes AS file_size, po.package_id
      FROM METADATA AS md, PACKAGE_OBJECT AS po WHERE md.object_id = po.object_id;
  `);
  db.prepare("INSERT INTO VERSION VALUES ('2026.09.1', 'modern-minimal', '2026-09-01', '2026-09-01', 'test')").run();
  const po = db.prepare('INSERT INTO PACKAGE_OBJECT VALUES (?, ?, ?)');
  const md = db.prepare(
    `INSERT INTO METADATA (metadata_id, object_id, key_hash, path, file_name, extension, bytes, crc32, md5, sha1, sha256)
     VALUES (?, ?, ?, ?, ?, ?, ?, '00000000', ?, ?, ?)`,
  );
  const hex = (n: number): string => randomBytes(n).toString('hex');
  db.transaction(() => {
    let id = 0;
    const add = (f: RdsFile): void => {
      id += 1;
      po.run(id, 1 + (id % 50), id);
      const dot = f.name.lastIndexOf('.');
      md.run(id, id, hex(16), `/pkg/${id}`, dot > 0 ? f.name.slice(0, dot) : f.name, dot > 0 ? f.name.slice(dot + 1) : '', f.size, f.md5, f.sha1, f.sha256);
    };
    for (const f of files) add(f);
    for (let i = 0; i < randomRows; i++) {
      const f = { md5: hex(16), sha1: hex(20), sha256: hex(32), name: `lib${i}.dll`, size: 1000 + i };
      add(f);
      if (i % 100 === 0) add(f);
    }
  })();
  db.close();
}
