import Database from 'better-sqlite3';
import type { ImageConfig } from '@corral/core';
import type { Compression } from './streams.js';

export interface LayerRow {
  diffId: string;
  /** Short name of the layers/l/ symlink that stands for its diff dir in mount options. */
  link: string;
  /** The blob as received (maybe compressed); its digest is what a manifest names. */
  blobDigest: string;
  compression: Compression;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
}

export interface ImageRow {
  id: string;
  digest: string;
  layers: string[];
  size: number;
  createdAt: string;
  config: ImageConfig;
  names: string[];
}

export interface ContainerRow {
  id: string;
  imageId: string;
  layers: string[];
  mountCount: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS layers (
  diff_id TEXT PRIMARY KEY,
  link TEXT NOT NULL UNIQUE,
  blob_digest TEXT NOT NULL,
  compression TEXT NOT NULL,
  tar_size INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS images (
  id TEXT PRIMARY KEY,
  digest TEXT NOT NULL,
  layers TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  config TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS image_names (
  name TEXT PRIMARY KEY,
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS image_names_by_image ON image_names(image_id);
CREATE TABLE IF NOT EXISTS containers (
  id TEXT PRIMARY KEY,
  image_id TEXT NOT NULL,
  layers TEXT NOT NULL,
  mount_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS containers_by_image ON containers(image_id);
`;

/**
 * The store's metadata in one SQLite file (WAL, busy timeout), shared by every
 * process using the same root: the tables are the truth, files follow them.
 */
export class Metadata {
  readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /** Runs `fn` in a write transaction taken up front (BEGIN IMMEDIATE), so readers cannot race it. */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  layer(diffId: string): LayerRow | undefined {
    const r = this.db.prepare('SELECT * FROM layers WHERE diff_id = ?').get(diffId) as any;
    return r && { diffId: r.diff_id, link: r.link, blobDigest: r.blob_digest, compression: r.compression, tarSize: r.tar_size };
  }

  insertLayer(row: LayerRow): void {
    this.db
      .prepare('INSERT OR IGNORE INTO layers (diff_id, link, blob_digest, compression, tar_size) VALUES (?, ?, ?, ?, ?)')
      .run(row.diffId, row.link, row.blobDigest, row.compression, row.tarSize);
  }

  deleteLayer(diffId: string): void {
    this.db.prepare('DELETE FROM layers WHERE diff_id = ?').run(diffId);
  }

  allLayers(): LayerRow[] {
    return (this.db.prepare('SELECT diff_id FROM layers').all() as any[]).map((r) => this.layer(r.diff_id)!);
  }

  private imageOf(r: any): ImageRow {
    const names = (this.db.prepare('SELECT name FROM image_names WHERE image_id = ? ORDER BY seq').all(r.id) as any[]).map((n) => n.name);
    return { id: r.id, digest: r.digest, layers: JSON.parse(r.layers), size: r.size, createdAt: r.created_at, config: JSON.parse(r.config), names };
  }

  image(id: string): ImageRow | undefined {
    const r = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id);
    return r ? this.imageOf(r) : undefined;
  }

  imagesWithPrefix(prefix: string): string[] {
    return (this.db.prepare("SELECT id FROM images WHERE id >= ? AND id < ? || 'g'").all(prefix, prefix) as any[]).map((r) => r.id);
  }

  imageByName(name: string): string | undefined {
    return (this.db.prepare('SELECT image_id FROM image_names WHERE name = ?').get(name) as any)?.image_id;
  }

  allNames(): { name: string; imageId: string }[] {
    return (this.db.prepare('SELECT name, image_id FROM image_names ORDER BY seq').all() as any[]).map((r) => ({ name: r.name, imageId: r.image_id }));
  }

  images(): ImageRow[] {
    return (this.db.prepare('SELECT * FROM images ORDER BY rowid').all() as any[]).map((r) => this.imageOf(r));
  }

  /** Inserts the image unless its id is known; either way it gets `names` (taken from any other image). */
  putImage(row: Omit<ImageRow, 'names'>, names: string[]): boolean {
    const fresh =
      this.db
        .prepare('INSERT OR IGNORE INTO images (id, digest, layers, size, created_at, config) VALUES (?, ?, ?, ?, ?, ?)')
        .run(row.id, row.digest, JSON.stringify(row.layers), row.size, row.createdAt, JSON.stringify(row.config)).changes > 0;
    for (const name of names) this.setName(name, row.id);
    return fresh;
  }

  setName(name: string, imageId: string): void {
    const seq = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM image_names').get() as any).s;
    this.db.prepare('INSERT OR REPLACE INTO image_names (name, image_id, seq) VALUES (?, ?, ?)').run(name, imageId, seq);
  }

  removeName(name: string): void {
    this.db.prepare('DELETE FROM image_names WHERE name = ?').run(name);
  }

  deleteImage(id: string): void {
    this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
  }

  container(id: string): ContainerRow | undefined {
    const r = this.db.prepare('SELECT * FROM containers WHERE id = ?').get(id) as any;
    return r && { id: r.id, imageId: r.image_id, layers: JSON.parse(r.layers), mountCount: r.mount_count };
  }

  containersOfImage(imageId: string): string[] {
    return (this.db.prepare('SELECT id FROM containers WHERE image_id = ?').all(imageId) as any[]).map((r) => r.id);
  }

  insertContainer(row: ContainerRow): void {
    this.db.prepare('INSERT INTO containers (id, image_id, layers, mount_count) VALUES (?, ?, ?, ?)').run(row.id, row.imageId, JSON.stringify(row.layers), row.mountCount);
  }

  setMountCount(id: string, count: number): void {
    this.db.prepare('UPDATE containers SET mount_count = ? WHERE id = ?').run(count, id);
  }

  deleteContainer(id: string): void {
    this.db.prepare('DELETE FROM containers WHERE id = ?').run(id);
  }

  /** Every diff id some image or container still needs. */
  usedLayers(): Set<string> {
    const used = new Set<string>();
    for (const r of this.db.prepare('SELECT layers FROM images UNION ALL SELECT layers FROM containers').all() as any[]) {
      for (const d of JSON.parse(r.layers) as string[]) used.add(d);
    }
    return used;
  }

  /** Every blob digest some image or layer still names. */
  usedBlobs(): Set<string> {
    const used = new Set<string>();
    for (const r of this.db.prepare('SELECT blob_digest FROM layers').all() as any[]) used.add(r.blob_digest);
    for (const r of this.db.prepare('SELECT id, digest FROM images').all() as any[]) {
      used.add(`sha256:${r.id}`);
      used.add(r.digest);
    }
    return used;
  }
}
