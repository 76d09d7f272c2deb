import {
  type AlterTableNode,
  type CheckConstraintNode,
  type CreateIndexNode,
  type CreateTableNode,
  type DropConstraintNode,
  type DropIndexNode,
  type ForeignKeyConstraintNode,
  IdentifierNode,
  type Kysely,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimaryKeyConstraintNode,
  type QueryId,
  type QueryResult,
  type RawNode,
  type RenameConstraintNode,
  type RootOperationNode,
  SchemableIdentifierNode,
  TableNode,
  type UniqueConstraintNode,
  type UnknownRow,
} from 'kysely';
import { renameInSql } from './renameInSql';

/** Appended to every table, index and constraint name of a rebuild's shadow copy. */
export const SHADOW_SUFFIX = '__rebuild';

const MAX_CACHED_SQL = 512;

export function shadowName(name: string): string {
  return `${name}${SHADOW_SUFFIX}`;
}

/** What a projection's `migrate` creates: the names a shadow copy must not share. */
export interface OwnedObjects {
  readonly tables: ReadonlySet<string>;
  readonly indexes: ReadonlySet<string>;
}

/**
 * Points a projection at a shadow copy of its tables: every table it owns becomes
 * `<table>__rebuild`, and so do the names of its indexes and constraints (index names are
 * unique per schema on both databases, and PostgreSQL backs constraints with indexes). Other
 * tables (the runtime's, other projections') are left alone, so a projection that reads a
 * neighbour's rows still reads the live ones.
 *
 * It rewrites Kysely's query tree, including the text of `sql` template fragments (see
 * `renameInSql`); SQL built outside the tree reaches the database unrewritten, which is why
 * `insertRows` asks the plugin through `renameSql`. A projection that runs other hand-made
 * `CompiledQuery`s cannot be rebuilt side by side.
 */
export class ShadowTablesPlugin implements KyselyPlugin {
  readonly owned: OwnedObjects;
  readonly #transformer: ShadowTablesTransformer;
  readonly #byLowerName: Map<string, string>;
  readonly #renamedSql = new Map<string, string>();

  constructor(owned: OwnedObjects) {
    this.owned = owned;
    this.#transformer = new ShadowTablesTransformer(this);
    this.#byLowerName = new Map();
    for (const name of [...owned.tables, ...owned.indexes]) {
      this.#byLowerName.set(name.toLowerCase(), shadowName(name));
    }
  }

  /** The shadow name of an owned table, or `undefined` for a table this plugin leaves alone. */
  table(name: string): string | undefined {
    return this.owned.tables.has(name) ? shadowName(name) : undefined;
  }

  index(name: string): string | undefined {
    return this.owned.indexes.has(name) ? shadowName(name) : undefined;
  }

  /** Renames owned tables and indexes in SQL text (unquoted names match in any case). */
  renameSql(text: string): string {
    // Batch writers send the same few statement texts over and over (see insertRows).
    let renamed = this.#renamedSql.get(text);
    if (renamed === undefined) {
      renamed = renameInSql(text, (name) => this.#byLowerName.get(name.toLowerCase()));
      if (this.#renamedSql.size >= MAX_CACHED_SQL) this.#renamedSql.clear();
      this.#renamedSql.set(text, renamed);
    }
    return renamed;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** The shadow plugin installed on `db` (or the transaction), if any. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function shadowTablesPluginOf(db: Kysely<any>): ShadowTablesPlugin | undefined {
  return db
    .getExecutor()
    .plugins.find((plugin): plugin is ShadowTablesPlugin => plugin instanceof ShadowTablesPlugin);
}

class ShadowTablesTransformer extends OperationNodeTransformer {
  readonly #plugin: ShadowTablesPlugin;
  /** Inside CREATE/ALTER TABLE of an owned table: its constraint names get the suffix too. */
  #ownedTableDepth = 0;

  constructor(plugin: ShadowTablesPlugin) {
    super();
    this.#plugin = plugin;
  }

  protected override transformTable(node: TableNode, queryId?: QueryId): TableNode {
    const transformed = super.transformTable(node, queryId);
    if (transformed.table.schema) return transformed;
    const renamed = this.#plugin.table(transformed.table.identifier.name);
    return renamed === undefined ? transformed : TableNode.create(renamed);
  }

  protected override transformCreateTable(
    node: CreateTableNode,
    queryId?: QueryId,
  ): CreateTableNode {
    return this.#inTable(node.table, () => super.transformCreateTable(node, queryId));
  }

  protected override transformAlterTable(node: AlterTableNode, queryId?: QueryId): AlterTableNode {
    return this.#inTable(node.table, () => super.transformAlterTable(node, queryId));
  }

  protected override transformCreateIndex(
    node: CreateIndexNode,
    queryId?: QueryId,
  ): CreateIndexNode {
    const transformed = super.transformCreateIndex(node, queryId);
    const name = node.name.name;
    const onOwnedTable = node.table !== undefined && this.#isOwned(node.table);
    const renamed =
      this.#plugin.index(name) ?? (onOwnedTable ? this.#suffixed(node.name).name : undefined);
    return renamed === undefined
      ? transformed
      : { ...transformed, name: IdentifierNode.create(renamed) };
  }

  protected override transformDropIndex(node: DropIndexNode, queryId?: QueryId): DropIndexNode {
    const transformed = super.transformDropIndex(node, queryId);
    if (node.name.schema) return transformed;
    const renamed = this.#plugin.index(node.name.identifier.name);
    return renamed === undefined
      ? transformed
      : { ...transformed, name: SchemableIdentifierNode.create(renamed) };
  }

  protected override transformPrimaryKeyConstraint(
    node: PrimaryKeyConstraintNode,
    queryId?: QueryId,
  ): PrimaryKeyConstraintNode {
    return this.#constraint(super.transformPrimaryKeyConstraint(node, queryId));
  }

  protected override transformUniqueConstraint(
    node: UniqueConstraintNode,
    queryId?: QueryId,
  ): UniqueConstraintNode {
    return this.#constraint(super.transformUniqueConstraint(node, queryId));
  }

  protected override transformCheckConstraint(
    node: CheckConstraintNode,
    queryId?: QueryId,
  ): CheckConstraintNode {
    return this.#constraint(super.transformCheckConstraint(node, queryId));
  }

  protected override transformForeignKeyConstraint(
    node: ForeignKeyConstraintNode,
    queryId?: QueryId,
  ): ForeignKeyConstraintNode {
    return this.#constraint(super.transformForeignKeyConstraint(node, queryId));
  }

  protected override transformDropConstraint(
    node: DropConstraintNode,
    queryId?: QueryId,
  ): DropConstraintNode {
    const transformed = super.transformDropConstraint(node, queryId);
    return this.#ownedTableDepth > 0
      ? { ...transformed, constraintName: this.#suffixed(transformed.constraintName) }
      : transformed;
  }

  protected override transformRenameConstraint(
    node: RenameConstraintNode,
    queryId?: QueryId,
  ): RenameConstraintNode {
    const transformed = super.transformRenameConstraint(node, queryId);
    return this.#ownedTableDepth > 0
      ? {
          ...transformed,
          oldName: this.#suffixed(transformed.oldName),
          newName: this.#suffixed(transformed.newName),
        }
      : transformed;
  }

  protected override transformRaw(node: RawNode, queryId?: QueryId): RawNode {
    const transformed = super.transformRaw(node, queryId);
    return {
      ...transformed,
      sqlFragments: transformed.sqlFragments.map((text) => this.#plugin.renameSql(text)),
    };
  }

  #constraint<T extends { readonly name?: IdentifierNode }>(node: T): T {
    return this.#ownedTableDepth > 0 && node.name
      ? { ...node, name: this.#suffixed(node.name) }
      : node;
  }

  #suffixed(node: IdentifierNode): IdentifierNode {
    return IdentifierNode.create(shadowName(node.name));
  }

  #isOwned(table: TableNode): boolean {
    return !table.table.schema && this.#plugin.owned.tables.has(table.table.identifier.name);
  }

  #inTable<T>(table: TableNode, transform: () => T): T {
    const owned = this.#isOwned(table);
    if (owned) this.#ownedTableDepth += 1;
    try {
      return transform();
    } finally {
      if (owned) this.#ownedTableDepth -= 1;
    }
  }
}
