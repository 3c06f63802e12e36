"""Stock and production: items, locations, batches, balances, cost layers, the stock ledger,
recipes, work orders with stages and outputs, and batch links (genealogy)."""

from contextlib import suppress

import peewee as pw
from peewee_migrate import Migrator


with suppress(ImportError):
    import playhouse.postgres_ext as pw_pext


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the stock and production tables."""

    @migrator.create_model
    class Item(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)
        unit = pw.CharField(max_length=16)
        batch_tracked = pw.BooleanField(default=True)
        costing = pw.CharField(default='fifo', max_length=16)
        gtin = pw.CharField(index=True, max_length=14, null=True)
        shelf_life_days = pw.IntegerField(null=True)
        last_cost = pw.BigIntegerField(default=0)
        active = pw.BooleanField(default=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "item"

    @migrator.create_model
    class Batch(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        item = pw.ForeignKeyField(column_name='item_id', field='id', model=migrator.orm['item'], on_delete='RESTRICT')
        status = pw.CharField(default='released', max_length=16)
        expiry = pw.DateField(index=True, null=True)
        supplier = pw.CharField(max_length=64, null=True)
        supplier_lot = pw.CharField(max_length=500, null=True)
        unit_cost = pw.BigIntegerField(default=0)
        created_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "batch"

    @migrator.create_model
    class Recipe(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)
        item = pw.ForeignKeyField(column_name='item_id', field='id', model=migrator.orm['item'], on_delete='RESTRICT')
        active = pw.BooleanField(default=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "recipe"

    @migrator.create_model
    class WorkOrder(pw.Model):
        id = pw.AutoField()
        number = pw.CharField(max_length=64, unique=True)
        recipe = pw.ForeignKeyField(column_name='recipe_id', field='id', model=migrator.orm['recipe'], on_delete='RESTRICT')
        planned_qty = pw.BigIntegerField()
        due = pw.DateField(index=True, null=True)
        priority = pw.IntegerField(default=5)
        status = pw.CharField(default='draft', index=True, max_length=16)
        created_at = pw.DateTimeField()
        started_at = pw.DateTimeField(null=True)
        completed_at = pw.DateTimeField(null=True)
        input_cost = pw.BigIntegerField(default=0)
        conversion_cost = pw.BigIntegerField(default=0)
        output_value = pw.BigIntegerField(default=0)
        scrap_loss = pw.BigIntegerField(default=0)
        variance = pw.BigIntegerField(default=0)

        class Meta:
            table_name = "work_order"

    @migrator.create_model
    class BatchLink(pw.Model):
        id = pw.AutoField()
        parent = pw.ForeignKeyField(column_name='parent_id', field='id', model=migrator.orm['batch'], on_delete='RESTRICT')
        child = pw.ForeignKeyField(column_name='child_id', field='id', model=migrator.orm['batch'], on_delete='RESTRICT')
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['work_order'], null=True, on_delete='CASCADE')
        qty = pw.BigIntegerField()

        class Meta:
            table_name = "batch_link"
            indexes = [(('parent', 'child'), False), (('child', 'parent'), False), (('work_order',), False)]

    @migrator.create_model
    class CostLayer(pw.Model):
        id = pw.AutoField()
        item = pw.ForeignKeyField(column_name='item_id', field='id', model=migrator.orm['item'], on_delete='RESTRICT')
        batch = pw.ForeignKeyField(column_name='batch_id', field='id', model=migrator.orm['batch'], null=True, on_delete='RESTRICT')
        is_open = pw.BooleanField(default=True)
        qty_in = pw.BigIntegerField(default=0)
        qty = pw.BigIntegerField(default=0)
        value = pw.BigIntegerField(default=0)
        unit_cost = pw.BigIntegerField(default=0)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "cost_layer"
            indexes = [(('item', 'is_open', 'id'), False), (('batch', 'is_open', 'id'), False)]

    @migrator.create_model
    class Location(pw.Model):
        id = pw.AutoField()
        code = pw.CharField(max_length=64, unique=True)
        name = pw.CharField(default='', max_length=128)
        role = pw.CharField(default='storage', max_length=16)
        active = pw.BooleanField(default=True)

        class Meta:
            table_name = "location"

    @migrator.create_model
    class RecipeInput(pw.Model):
        id = pw.AutoField()
        recipe = pw.ForeignKeyField(column_name='recipe_id', field='id', model=migrator.orm['recipe'], on_delete='CASCADE')
        item = pw.ForeignKeyField(column_name='item_id', field='id', model=migrator.orm['item'], on_delete='RESTRICT')
        qty_per_unit = pw.BigIntegerField()
        mode = pw.CharField(default='scanned', max_length=16)

        class Meta:
            table_name = "recipe_input"

    @migrator.create_model
    class RecipeOutput(pw.Model):
        id = pw.AutoField()
        recipe = pw.ForeignKeyField(column_name='recipe_id', field='id', model=migrator.orm['recipe'], on_delete='CASCADE')
        item = pw.ForeignKeyField(column_name='item_id', field='id', model=migrator.orm['item'], on_delete='RESTRICT')
        kind = pw.CharField(max_length=8)
        cost_share = pw.BigIntegerField(default=0)
        qty_per_unit = pw.BigIntegerField(null=True)

        class Meta:
            table_name = "recipe_output"

    @migrator.create_model
    class RecipeStage(pw.Model):
        id = pw.AutoField()
        recipe = pw.ForeignKeyField(column_name='recipe_id', field='id', model=migrator.orm['recipe'], on_delete='CASCADE')
        seq = pw.IntegerField()
        work_centre = pw.ForeignKeyField(column_name='work_centre_id', field='id', model=migrator.orm['work_centre'], on_delete='RESTRICT')
        standard_minutes = pw.BigIntegerField(default=0)
        skill = pw.ForeignKeyField(column_name='skill_id', field='id', model=migrator.orm['skill'], null=True, on_delete='RESTRICT')

        class Meta:
            table_name = "recipe_stage"

    @migrator.create_model
    class StockBalance(pw.Model):
        id = pw.AutoField()
        item = pw.ForeignKeyField(column_name='item_id', field='id', model=migrator.orm['item'], on_delete='RESTRICT')
        batch = pw.ForeignKeyField(column_name='batch_id', field='id', model=migrator.orm['batch'], null=True, on_delete='RESTRICT')
        location = pw.ForeignKeyField(column_name='location_id', field='id', model=migrator.orm['location'], on_delete='RESTRICT')
        qty = pw.BigIntegerField(default=0)

        class Meta:
            table_name = "stock_balance"
            indexes = [(('item', 'location', 'batch'), False), (('batch', 'location'), False)]

    @migrator.create_model
    class StockMove(pw.Model):
        id = pw.AutoField()
        at = pw.DateTimeField(index=True)
        kind = pw.CharField(index=True, max_length=16)
        item = pw.ForeignKeyField(column_name='item_id', field='id', model=migrator.orm['item'], on_delete='RESTRICT')
        batch = pw.ForeignKeyField(column_name='batch_id', field='id', model=migrator.orm['batch'], null=True, on_delete='RESTRICT')
        location = pw.ForeignKeyField(column_name='location_id', field='id', model=migrator.orm['location'], null=True, on_delete='RESTRICT')
        qty = pw.BigIntegerField()
        value = pw.BigIntegerField()
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['work_order'], null=True, on_delete='RESTRICT')
        reason = pw.CharField(max_length=64, null=True)
        reference = pw.CharField(max_length=128, null=True)
        user = pw.CharField(max_length=64, null=True)
        operator = pw.CharField(max_length=64, null=True)
        event_id = pw.UUIDField(index=True, null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "stock_move"
            indexes = [(('item', 'batch', 'location'), False), (('batch', 'kind'), False), (('work_order', 'kind'), False)]

    @migrator.create_model
    class WorkOrderOutput(pw.Model):
        id = pw.AutoField()
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['work_order'], on_delete='RESTRICT')
        batch = pw.ForeignKeyField(column_name='batch_id', field='id', model=migrator.orm['batch'], on_delete='RESTRICT', unique=True)
        item = pw.ForeignKeyField(column_name='item_id', field='id', model=migrator.orm['item'], on_delete='RESTRICT')
        kind = pw.CharField(max_length=8)
        qty = pw.BigIntegerField()
        location = pw.ForeignKeyField(column_name='location_id', field='id', model=migrator.orm['location'], on_delete='RESTRICT')
        value = pw.BigIntegerField(default=0)
        reason = pw.CharField(max_length=64, null=True)
        operator = pw.CharField(max_length=64, null=True)
        event_id = pw.UUIDField(null=True)
        at = pw.DateTimeField()

        class Meta:
            table_name = "work_order_output"

    @migrator.create_model
    class WorkOrderStage(pw.Model):
        id = pw.AutoField()
        work_order = pw.ForeignKeyField(column_name='work_order_id', field='id', model=migrator.orm['work_order'], on_delete='CASCADE')
        seq = pw.IntegerField()
        work_centre = pw.ForeignKeyField(column_name='work_centre_id', field='id', model=migrator.orm['work_centre'], on_delete='RESTRICT')
        standard_minutes = pw.BigIntegerField(default=0)
        skill = pw.ForeignKeyField(column_name='skill_id', field='id', model=migrator.orm['skill'], null=True, on_delete='RESTRICT')
        started_at = pw.DateTimeField(null=True)
        started_by = pw.CharField(max_length=64, null=True)
        completed_at = pw.DateTimeField(null=True)
        completed_by = pw.CharField(max_length=64, null=True)

        class Meta:
            table_name = "work_order_stage"
            indexes = [(('work_order', 'seq'), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the stock and production tables."""

    migrator.remove_model('work_order_stage')
    migrator.remove_model('work_order_output')
    migrator.remove_model('stock_move')
    migrator.remove_model('stock_balance')
    migrator.remove_model('recipe_stage')
    migrator.remove_model('recipe_output')
    migrator.remove_model('recipe_input')
    migrator.remove_model('location')
    migrator.remove_model('cost_layer')
    migrator.remove_model('batch_link')
    migrator.remove_model('work_order')
    migrator.remove_model('recipe')
    migrator.remove_model('batch')
    migrator.remove_model('item')
