namespace LeakyOrders;

/// <summary>An order line as the batch endpoint receives it.</summary>
public sealed record Order(string Id, string Sku, int Quantity);
