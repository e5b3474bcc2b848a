// Terril's DFC conformance probe: the official connector (@datafoodconsortium/connector) reads
// Terril's JSON-LD, or builds documents for Terril to import. Offline: every network fetch is
// refused and reported, so a document that needs the network shows it in `fetched`.
//   node dfc_check.mjs read <catalog.json> [<orders.json> …]  → JSON summary on stdout
//   node dfc_check.mjs build <spec.json>                       → {"orders": …, "catalog": …} JSON-LD
import { readFileSync } from "node:fs";
import { Connector } from "@datafoodconsortium/connector";

const fetched = [];
globalThis.fetch = async (url) => { fetched.push(String(url)); throw new Error(`offline: ${url}`); };
const connector = new Connector();
connector.setDefaultFetchFunction(async (url) => { fetched.push(String(url)); return { ok: false, status: 599 }; });

const B = "dfc-b:";
const prop = (o, name) => o.getSemanticProperty(B + name);
const id = (o) => (o ? o.getSemanticId() : null);
const safe = async (f) => { try { return await f(); } catch (e) { return { error: String(e) }; } };
const price = (p) => (p ? { value: p.getQuantityValue(), vat: p.getVatRate(), unit: p.getSemanticProperty(B + "hasUnit") } : null);

async function describe(o) {
  const type = o.getSemanticType().split(/[#:]/).pop();
  const out = { id: id(o), type };
  if (type === "Offer") {
    Object.assign(out, { offeredItem: id(await safe(() => o.getOfferedItem())), offeredItemRaw: prop(o, "offeredItem"),
                         price: price(o.getPrice()), stock: o.getStockLimitation() });
  } else if (type === "OrderLine") {
    Object.assign(out, { quantity: o.getQuantity(), price: price(await safe(() => o.getPrice())),
                         offer: id(await safe(() => o.getOffer())), concerns: prop(o, "concerns"),
                         order: prop(o, "partOf") });
  } else if (type === "Order") {
    const lines = await safe(() => o.getLines());
    Object.assign(out, { number: o.getNumber(), date: o.getDate() ?? null, client: prop(o, "orderedBy"),
                         soldBy: prop(o, "soldBy"), saleSession: id(await safe(() => o.getSaleSession())),
                         lines: Array.isArray(lines) ? lines.map(id) : lines });
  } else if (type === "SaleSession") {
    const offers = await safe(() => o.getOffers());
    Object.assign(out, { begin: o.getBeginDate() ?? null, end: o.getEndDate() ?? null,
                         offers: Array.isArray(offers) ? offers.length : offers });
  } else if (type === "CatalogItem") {
    Object.assign(out, { sku: o.getSku() ?? null, stock: o.getStockLimitation(),
                         product: id(await safe(() => o.getOfferedProduct())),
                         offers: (await safe(() => o.getOfferers())).map?.(id) ?? null });
  } else if (type === "SuppliedProduct") {
    const q = o.getQuantity();
    Object.assign(out, { name: o.getName() ?? null, description: o.getDescription() ?? null,
                         quantity: q ? { value: q.getQuantityValue(), unit: q.getSemanticProperty(B + "hasUnit") } : null });
  } else if (type === "Enterprise") {
    const supplied = await safe(() => o.getSuppliedProducts());
    Object.assign(out, { name: o.getName() ?? null, supplies: Array.isArray(supplied) ? supplied.map(id) : supplied });
  }
  return out;
}

async function read(files) {
  const documents = [];
  for (const file of files) {
    const objects = await connector.import(readFileSync(file, "utf8"));
    documents.push({ file, objects: await Promise.all(objects.map(describe)) });
  }
  return { documents, fetched };
}

// spec: {"saleSession", "client", "seller", "orderId", "number", "date", "deliveryDay", "lines": [{"id", "offer", "quantity", "price", "vat"}],
//        "catalog": {"enterprise", "items": [{"product", "name", "item", "offer", "sku", "price", "vat", "stock"}]}}
async function build(spec) {
  const euro = "dfc-m:Euro";
  const lines = spec.lines.map((l) => connector.createOrderLine({
    semanticId: l.id, quantity: l.quantity,
    price: connector.createPrice({ value: l.price, vatRate: l.vat, unit: { getSemanticId: () => euro } }),
    offer: connector.createOffer({ semanticId: l.offer }),
  }));
  const order = connector.createOrder({
    semanticId: spec.orderId, number: spec.number, date: spec.date, lines,
    saleSession: connector.createSaleSession({ semanticId: spec.saleSession }),
    client: connector.createEnterprise({ semanticId: spec.client }),
    soldBy: connector.createEnterprise({ semanticId: spec.seller }),
  });
  // Terril's extension term (DFC has no delivery day on an Order): a client adds it as any property
  if (spec.deliveryDay) order.setSemanticPropertyLiteral("https://terril.invalid/ns#deliveryDay", spec.deliveryDay);
  const c = spec.catalog;
  const products = [], items = [], offers = [];
  for (const it of c.items) {
    const product = connector.createSuppliedProduct({ semanticId: it.product, name: it.name, description: it.name });
    const offer = connector.createOffer({
      semanticId: it.offer, stockLimitation: it.stock,
      price: connector.createPrice({ value: it.price, vatRate: it.vat, unit: { getSemanticId: () => euro } }),
    });
    const item = connector.createCatalogItem({ semanticId: it.item, product, sku: it.sku, stockLimitation: it.stock,
                                               offers: [offer] });
    offer.setOfferedItem(item);
    products.push(product); items.push(item); offers.push(offer);
  }
  const enterprise = connector.createEnterprise({ semanticId: c.enterprise, name: c.name, suppliedProducts: products,
                                                  catalogItems: items });
  return {
    orders: JSON.parse(await connector.export([order, ...lines])),
    catalog: JSON.parse(await connector.export([enterprise, ...products, ...items, ...offers])),
    fetched,
  };
}

const [mode, ...args] = process.argv.slice(2);
const result = mode === "build" ? await build(JSON.parse(readFileSync(args[0], "utf8"))) : await read(args);
process.stdout.write(JSON.stringify(result, null, 1));
