-- The schema of the order history database that the order-history integration introspects
-- (connection order-history-db, schema public). Load it into a local PostgreSQL to try the
-- postgresql generator:  psql "$DATABASE_URL" -f examples/sql/order-history.sql

CREATE TABLE IF NOT EXISTS public.orders (
  order_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_number    varchar(20)   NOT NULL UNIQUE,
  sales_order     varchar(10),                       -- the S/4HANA sales order, once replicated
  customer_id     uuid          NOT NULL,            -- the CRM customer id
  status          varchar(16)   NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'confirmed', 'shipped', 'invoiced', 'cancelled')),
  ordered_at      timestamptz   NOT NULL DEFAULT now(),
  total_amount    numeric(14,2) NOT NULL DEFAULT 0,
  currency        char(3)       NOT NULL,
  notes           text
);

CREATE TABLE IF NOT EXISTS public.order_lines (
  order_id        bigint        NOT NULL REFERENCES public.orders (order_id) ON DELETE CASCADE,
  line_no         integer       NOT NULL,
  sku             varchar(40)   NOT NULL,
  description     varchar(200),
  quantity        numeric(12,3) NOT NULL CHECK (quantity > 0),
  unit_price      numeric(14,2) NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

CREATE TABLE IF NOT EXISTS public.shipments (
  shipment_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id        bigint        NOT NULL REFERENCES public.orders (order_id),
  carrier         varchar(40)   NOT NULL,
  tracking_number varchar(64),
  shipped_at      timestamptz,
  delivered_at    timestamptz
);

CREATE INDEX IF NOT EXISTS orders_customer_id_idx ON public.orders (customer_id);
CREATE INDEX IF NOT EXISTS shipments_order_id_idx ON public.shipments (order_id);
