// Where the outbox keeps its items: IndexedDB, one object store, keys in tap
// order; or, where the browser has no IndexedDB, memory.

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export class IndexedStore {
  constructor(name) {
    this.name = name;
    this.db = null;
  }

  async open() {
    const request = indexedDB.open(this.name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore("items", { keyPath: "id", autoIncrement: true });
    this.db = await promised(request);
  }

  async run(mode, work) {
    const transaction = this.db.transaction("items", mode);
    const done = new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
    const result = await promised(work(transaction.objectStore("items")));
    await done;
    return result;
  }

  all() {
    return this.run("readonly", (store) => store.getAll());
  }

  add(item) {
    return this.run("readwrite", (store) => store.add(item));
  }

  put(item) {
    return this.run("readwrite", (store) => store.put(item));
  }

  delete(id) {
    return this.run("readwrite", (store) => store.delete(id));
  }
}

// Without IndexedDB (some private modes) items still go out in order; they
// only do not survive a reload.
export class MemoryStore {
  constructor() {
    this.items = new Map();
    this.next = 1;
  }

  async open() {}

  async all() {
    return [...this.items.values()];
  }

  async add(item) {
    const id = this.next;
    this.next += 1;
    this.items.set(id, { ...item, id });
    return id;
  }

  async put(item) {
    this.items.set(item.id, item);
  }

  async delete(id) {
    this.items.delete(id);
  }
}

export async function openStore(name) {
  try {
    if (!window.indexedDB) throw new Error("no IndexedDB");
    const store = new IndexedStore(name);
    await store.open();
    return store;
  } catch (error) {
    return new MemoryStore();
  }
}
